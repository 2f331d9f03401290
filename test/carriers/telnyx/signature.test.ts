import { describe, expect, it } from "vitest";
import { parseTelnyxPublicKey, telnyxPublicKey, verifyTelnyxSignature } from "../../../src/carriers/telnyx/signature";
import { base64ToBytes, bytesToBase64, bytesToHex, utf8 } from "../../../src/lib/encoding";
import { newTelnyxAccount, telnyxFake, telnyxOrigin, type TelnyxAccount } from "./helpers";

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

const sign = (a: TelnyxAccount | "stranger", request: Record<string, unknown>) =>
  telnyxFake<Delivery>(
    "/webhooks/sign",
    a === "stranger" ? { stranger: true, ...request } : { apiKey: a.apiKey, ...request },
  );

const check = (publicKey: string, d: Delivery, over: { body?: string | Uint8Array; nowMs?: number } = {}) =>
  verifyTelnyxSignature({
    publicKey,
    signature: d.headers["telnyx-signature-ed25519"],
    timestamp: d.headers["telnyx-timestamp"],
    rawBody: over.body ?? d.body,
    nowMs: over.nowMs,
  });

const event = { eventType: "call.initiated", payload: { call_control_id: "v3:abc", from: "+15550001111" } };

describe("Telnyx webhook signatures (Ed25519 over `{timestamp}|{body}`, WebCrypto in workerd)", () => {
  it("accepts a delivery signed by the account's key, given as Mission Control shows it or as PEM", async () => {
    const a = await newTelnyxAccount();
    const d = await sign(a, { event });
    expect(await check(a.publicKey, d)).toEqual({ ok: true, timestamp: Number(d.headers["telnyx-timestamp"]) });
    expect((await check(a.publicKeyPem, d)).ok).toBe(true);
  });

  it("checks the exact bytes: a non-ASCII body verifies as bytes or as text, and one changed byte does not", async () => {
    const a = await newTelnyxAccount();
    const d = await sign(a, { body: '{"data":{"payload":{"caller_id_name":"Zoë Café"}}}' });
    expect((await check(a.publicKey, d, { body: utf8(d.body) })).ok).toBe(true);
    expect((await check(a.publicKey, d)).ok).toBe(true);
    expect(await check(a.publicKey, d, { body: d.body.replace("Zoë", "Zoe") })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await check(a.publicKey, d, { body: `${d.body} ` })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses a forged delivery: another account's key, or a key no account has", async () => {
    const a = await newTelnyxAccount();
    const b = await newTelnyxAccount();
    expect(await check(a.publicKey, await sign(b, { event }))).toEqual({ ok: false, reason: "mismatch" });
    expect(await check(a.publicKey, await sign("stranger", { event }))).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses a replay under a fresh timestamp: the timestamp is part of what was signed", async () => {
    const a = await newTelnyxAccount();
    const old = await sign(a, { event, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const replay = { ...old, headers: { ...old.headers, "telnyx-timestamp": String(Math.floor(Date.now() / 1000)) } };
    expect(await check(a.publicKey, replay)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses a timestamp more than 300 s from now, either way, before any cryptography", async () => {
    const a = await newTelnyxAccount();
    const ts = 1_900_000_000;
    const d = await sign(a, { event, timestamp: ts });
    expect((await check(a.publicKey, d, { nowMs: (ts + 300) * 1000 })).ok).toBe(true);
    expect((await check(a.publicKey, d, { nowMs: (ts - 300) * 1000 })).ok).toBe(true);
    expect(await check(a.publicKey, d, { nowMs: (ts + 301) * 1000 })).toEqual({ ok: false, reason: "stale" });
    expect(await check(a.publicKey, d, { nowMs: (ts - 301) * 1000 })).toEqual({ ok: false, reason: "stale" });
    // A stale delivery is refused as stale even when its signature is garbage.
    const garbage = { ...d, headers: { ...d.headers, "telnyx-signature-ed25519": "x" } };
    expect(await check(a.publicKey, garbage, { nowMs: (ts + 301) * 1000 })).toEqual({ ok: false, reason: "stale" });
  });

  it("refuses missing and malformed headers, and a malformed stored key, without throwing", async () => {
    const a = await newTelnyxAccount();
    const d = await sign(a, { event });
    const sig = d.headers["telnyx-signature-ed25519"]!;
    const ts = d.headers["telnyx-timestamp"]!;
    const with_ = (signature: string | null, timestamp: string | null, publicKey = a.publicKey) =>
      verifyTelnyxSignature({ publicKey, signature, timestamp, rawBody: d.body });
    expect(await with_(null, ts)).toEqual({ ok: false, reason: "missing" });
    expect(await with_(sig, null)).toEqual({ ok: false, reason: "missing" });
    expect(await with_("", ts)).toEqual({ ok: false, reason: "missing" });
    for (const bad of [`${ts}a`, "1e9", "-5", ` ${ts}`, "1234567890123"])
      expect(await with_(sig, bad), bad).toEqual({ ok: false, reason: "malformed" });
    const shortSig = bytesToBase64(new Uint8Array(63));
    for (const bad of ["not base64!", shortSig, bytesToBase64(new Uint8Array(65))])
      expect(await with_(bad, ts), bad).toEqual({ ok: false, reason: "malformed" });
    for (const key of ["", "AAAA", a.publicKey.slice(4), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"])
      expect(await with_(sig, ts, key), key).toEqual({ ok: false, reason: "malformed" });
  });

  it("verifies what the fake actually POSTs to a webhook URL (its own sink here; a Worker under wrangler dev later)", async () => {
    const a = await newTelnyxAccount();
    const path = `/sink/${a.apiKey}`;
    const sent = await telnyxFake<{ status: number }>("/webhooks/deliver", {
      apiKey: a.apiKey,
      url: `${telnyxOrigin()}/__fake${path}`,
      event: { eventType: "call.answered", payload: { call_control_id: "v3:x" } },
    });
    expect(sent.status).toBe(200);
    const got = (await telnyxFake<{ path: string; headers: Record<string, string>; body: string }[]>("/sink")).find(
      (r) => r.path === `/__fake${path}`,
    )!;
    expect(got.headers["content-type"]).toBe("application/json");
    expect(await check(a.publicKey, got)).toMatchObject({ ok: true });
    expect(JSON.parse(got.body).data.event_type).toBe("call.answered");
  });

  it("verifies signatures made by WebCrypto itself (the key pair made in the test)", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
    const body = '{"data":{"event_type":"call.hangup"}}';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = bytesToBase64(
      new Uint8Array(await crypto.subtle.sign("Ed25519", pair.privateKey, utf8(`${timestamp}|${body}`))),
    );
    const publicKey = bytesToBase64(raw);
    expect((await verifyTelnyxSignature({ publicKey, signature, timestamp, rawBody: body })).ok).toBe(true);
    expect((await verifyTelnyxSignature({ publicKey, signature, timestamp, rawBody: `${body}\n` })).ok).toBe(false);
  });
});

describe("a stored Telnyx public key", () => {
  it("is the base64 of 32 raw bytes; a PEM or base64 DER Ed25519 key is reduced to the same", async () => {
    const a = await newTelnyxAccount();
    const pem = parseTelnyxPublicKey(a.publicKeyPem);
    const der = a.publicKeyPem.replace(/-----[A-Z ]+-----|\s/g, "");
    expect(parseTelnyxPublicKey(a.publicKey)).toMatchObject({ ok: true, base64: a.publicKey });
    expect(parseTelnyxPublicKey(`  ${a.publicKey}\n`)).toMatchObject({ ok: true, base64: a.publicKey });
    expect(pem).toMatchObject({ ok: true, base64: a.publicKey });
    expect(parseTelnyxPublicKey(der)).toMatchObject({ ok: true, base64: a.publicKey });
  });

  it("as base64url (a JWK's x, padded or not) or 64 hex digits, of the key or its DER, is reduced to the same", async () => {
    const a = await newTelnyxAccount();
    const raw = base64ToBytes(a.publicKey)!;
    const der = base64ToBytes(a.publicKeyPem.replace(/-----[A-Z ]+-----|\s/g, ""))!;
    const url = (b: Uint8Array) => bytesToBase64(b).replace(/\+/g, "-").replace(/\//g, "_");
    const forms = [
      url(raw).replace(/=+$/, ""),
      url(raw),
      a.publicKey.replace(/=+$/, ""),
      bytesToHex(raw),
      bytesToHex(raw).toUpperCase(),
      url(der),
      bytesToHex(der),
    ];
    for (const form of forms) expect(parseTelnyxPublicKey(form), form).toMatchObject({ ok: true, base64: a.publicKey });
    // A JWK's x of a WebCrypto key verifies the signatures made with it.
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const { x } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = '{"data":{"event_type":"call.answered"}}';
    const signature = bytesToBase64(
      new Uint8Array(await crypto.subtle.sign("Ed25519", pair.privateKey, utf8(`${timestamp}|${body}`))),
    );
    expect((await verifyTelnyxSignature({ publicKey: x!, signature, timestamp, rawBody: body })).ok).toBe(true);
  });

  it("is refused with a reason when it is not base64, the wrong length, or not an Ed25519 key", async () => {
    const rsa = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const rsaDer = bytesToBase64(new Uint8Array((await crypto.subtle.exportKey("spki", rsa.publicKey)) as ArrayBuffer));
    const cases: [string, RegExp][] = [
      ["", /required/],
      ["not a key", /base64/],
      [bytesToBase64(new Uint8Array(31)), /32-byte.*31 bytes/],
      [bytesToBase64(new Uint8Array(33)), /32-byte.*33 bytes/],
      [`-----BEGIN PUBLIC KEY-----\n${rsaDer}\n-----END PUBLIC KEY-----`, /32-byte/],
      [`-----BEGIN PUBLIC KEY-----\n${bytesToBase64(new Uint8Array(32))}\n-----END PUBLIC KEY-----`, /32-byte/],
      ["ab".repeat(31), /32-byte.*as hex it has 62 digits, not 64/],
      ["ab".repeat(33), /32-byte.*as hex it has 66 digits, not 64/],
      [`${"A".repeat(42)}-+`, /base64url/],
      [bytesToBase64(new Uint8Array(32)).replace(/=/g, "==="), /base64url/],
      ['{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}', /not a JWK.*"x"/],
    ];
    for (const [input, message] of cases) {
      const r = parseTelnyxPublicKey(input);
      expect(r.ok, input).toBe(false);
      if (!r.ok) expect(r.message).toMatch(message);
    }
  });

  it("as the admin API's field: canonical base64, or an issue naming the field", async () => {
    const a = await newTelnyxAccount();
    const { z } = await import("zod");
    const schema = z.object({ telnyx: z.object({ publicKey: telnyxPublicKey }) });
    expect(schema.parse({ telnyx: { publicKey: a.publicKeyPem } })).toEqual({ telnyx: { publicKey: a.publicKey } });
    const bad = schema.safeParse({ telnyx: { publicKey: "abc" } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["telnyx", "publicKey"]);
  });
});
