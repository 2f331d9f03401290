import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "../../src/auth/crypto";
import type { Env } from "../../src/env";
import { timingSafeEqual } from "../../src/lib/hash";
import { provisionTenant } from "../helpers";

describe("secrets at rest", () => {
  it("round-trips through AES-GCM with a fresh IV each time", async () => {
    const a = await encryptSecret(env, "auth-token-123");
    const b = await encryptSecret(env, "auth-token-123");
    expect(a).not.toBe(b);
    expect(a.startsWith("v1:")).toBe(true);
    expect(await decryptSecret(env, a)).toBe("auth-token-123");
  });

  it("works with an ENCRYPTION_KEY that is not base64 of 32 bytes (a passphrase), keyed by it", async () => {
    const passphrase = { ...env, ENCRYPTION_KEY: "test-encryption-key" } as Env;
    const short = { ...env, ENCRYPTION_KEY: btoa("sixteen-byte-key") } as Env;
    for (const e of [passphrase, short]) {
      const a = await encryptSecret(e, "auth-token-123");
      expect(await decryptSecret(e, a)).toBe("auth-token-123");
      await expect(decryptSecret(env, a)).rejects.toThrow();
    }
    await expect(encryptSecret({ ...env, ENCRYPTION_KEY: "" } as Env, "x")).rejects.toMatchObject({
      status: 500,
      message: "Server is not configured (ENCRYPTION_KEY is not set)",
    });
  });

  it("detects tampering", async () => {
    const a = await encryptSecret(env, "auth-token-123");
    const flipped = a.slice(0, -4) + (a.slice(-4, -3) === "A" ? "B" : "A") + a.slice(-3);
    await expect(decryptSecret(env, flipped)).rejects.toThrow();
  });

  it("stores no tenant secret in plaintext in D1", async () => {
    const t = await provisionTenant();
    const row = await env.DB.prepare("SELECT * FROM customers WHERE id = ?1").bind(t.customerId).first();
    const accounts = await env.DB.prepare("SELECT * FROM carrier_accounts WHERE customer_id = ?1")
      .bind(t.customerId)
      .all();
    const dump = JSON.stringify([row, accounts.results]);
    for (const secret of [t.authToken, t.apiKeySecret, t.openaiKey!]) expect(dump).not.toContain(secret);
    const twilio = accounts.results.find((a) => a.carrier === "twilio");
    expect(
      await decryptSecret(env, (JSON.parse(String(twilio?.secrets_json)) as { authToken: string }).authToken),
    ).toBe(t.authToken);
  });
});

describe("timingSafeEqual", () => {
  it("compares by value, including different lengths", async () => {
    expect(await timingSafeEqual("abc", "abc")).toBe(true);
    expect(await timingSafeEqual("abc", "abd")).toBe(false);
    expect(await timingSafeEqual("abc", "abcd")).toBe(false);
    expect(await timingSafeEqual("", "")).toBe(true);
  });
});
