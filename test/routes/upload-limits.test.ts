import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RepAuth } from "../../src/auth/context";
import { issuePhoneToken } from "../../src/auth/phone-token";
import type { RepRow } from "../../src/db/reps";
import { uploadBudgets, UPLOAD_QUOTAS } from "../../src/limits/upload-quota";
import { recorderName } from "../../src/recordings/ticket-recorder";
import { json, provisionTenant } from "../helpers";
import { b64, newTicket, speech, upload } from "./audio-helpers";

const stored = (customerId: number, ticketId: number) =>
  env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(customerId, ticketId))).stats();
const oneByte = (ticketID: number, timestampMs: number) => ({
  ticketID,
  senderType: "EndUser",
  timestampMs,
  base64AudioData: b64(new Uint8Array([0x7f])),
});

describe("uploads cannot amplify into huge recordings", () => {
  it("refuses two 1-byte chunks four hours apart, in one batch or two, and stores nothing more", async () => {
    const t = await provisionTenant();
    const ticket = await newTicket(t);
    const batch = await upload("uploadAndFinalize", t.token, [oneByte(ticket, 0), oneByte(ticket, 14_399_000)]);
    expect(batch.status).toBe(400);
    expect(await json(batch)).toMatchObject({ issues: [{ path: "1.timestampMs" }] });
    expect((await stored(t.customerId, ticket)).totalChunks).toBe(0);

    expect((await upload("upload", t.token, [oneByte(ticket, 0)])).status).toBe(200);
    const later = await upload("uploadAndFinalize", t.token, [oneByte(ticket, 14_399_000)]);
    expect(later.status).toBe(400);
    expect((await json<{ issues: { message: string }[] }>(later)).issues[0]!.message).toMatch(
      /would stretch this ticket's recording to 14400 s with only 0 s of audio received/,
    );
    expect((await stored(t.customerId, ticket)).totalChunks).toBe(1);
  });

  it("bounds the span by the audio received: 4× the audio plus 60 s, in either direction", async () => {
    const t = await provisionTenant();
    const ticket = await newTicket(t);
    // 10 s of the caller, starting at 100 s: 4 × 10 s + 60 s = 100 s of timeline at most.
    expect((await upload("upload", t.token, speech(ticket, "EndUser", 100_000, 110_000, 0x90))).status).toBe(200);
    const tooLate = await upload("upload", t.token, speech(ticket, "AI", 201_000, 201_020, 0xa0));
    expect(tooLate.status).toBe(400);
    const tooEarly = await upload("upload", t.token, speech(ticket, "AI", 0, 20, 0xa0));
    expect(tooEarly.status).toBe(400);
    // a pause within the bound is fine, and more audio buys more room
    expect((await upload("upload", t.token, speech(ticket, "AI", 180_000, 190_000, 0xa0))).status).toBe(200);
    expect((await upload("upload", t.token, speech(ticket, "AI", 200_000, 200_020, 0xa0))).status).toBe(200);
    const fin = await upload("uploadAndFinalize", t.token, speech(ticket, "EndUser", 190_000, 190_020, 0x90));
    expect(fin.status).toBe(201);
    expect((await json<{ durationMs: number }>(fin)).durationMs).toBe(100_020);
  });
});

describe("upload quotas", () => {
  it("charges each batch's audio to the uploader and the tenant; past either, 429 and nothing stored", async () => {
    const t = await provisionTenant();
    const ticket = await newTicket(t);
    const auth = { kind: "rep", customerId: t.customerId, rep: { id: t.repId } as RepRow, scopes: new Set<string>() };
    const [rep, tenant] = uploadBudgets(auth as RepAuth);
    // Nearly spend the tenant's hour, as many other uploads would have.
    const tenantLimiter = env.RATE_LIMITER.getByName(tenant!.name);
    await tenantLimiter.hit(
      UPLOAD_QUOTAS.tenant.limit,
      UPLOAD_QUOTAS.tenant.windowSeconds,
      UPLOAD_QUOTAS.tenant.limit - 320,
    );
    expect((await upload("upload", t.token, speech(ticket, "EndUser", 0, 40, 0x90))).status).toBe(200);
    const over = await upload("upload", t.token, speech(ticket, "EndUser", 40, 60, 0x90));
    expect(over.status).toBe(429);
    expect(await json(over)).toEqual({ error: "Upload quota exceeded; try again later" });
    expect(Number(over.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await stored(t.customerId, ticket)).totalChunks).toBe(2);
    // the rep's own counter holds what it uploaded
    const repLeft = await env.RATE_LIMITER.getByName(rep!.name).hit(UPLOAD_QUOTAS.rep.limit, 3600, 0);
    expect(UPLOAD_QUOTAS.rep.limit - repLeft.remaining).toBe(320 + 160);
  });

  it("gives each phone user (all tokens of a number) a quota of its own", async () => {
    const t = await provisionTenant();
    const phone = "+32470123999";
    const ticket = await newTicket(t, { channel: "phone", subject: "call", phoneNumber: phone });
    const { token } = await issuePhoneToken(env, t.customerId, phone);
    const [own] = uploadBudgets({ kind: "phone", customerId: t.customerId, phoneNumber: phone });
    await env.RATE_LIMITER.getByName(own!.name).hit(UPLOAD_QUOTAS.phone.limit, 3600, UPLOAD_QUOTAS.phone.limit - 100);
    const second = await issuePhoneToken(env, t.customerId, phone);
    for (const tk of [token, second.token]) {
      expect((await upload("upload", tk, speech(ticket, "EndUser", 0, 20, 0x90))).status).toBe(429);
    }
    // the rep of the same tenant is not held back by the phone user's quota
    expect((await upload("upload", t.token, speech(ticket, "EndUser", 0, 20, 0x90))).status).toBe(200);
  });
});
