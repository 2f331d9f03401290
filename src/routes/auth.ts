import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { hmacSha256Hex } from "../auth/crypto";
import { timingSafeEqual } from "../lib/hash";
import { issuePhoneToken } from "../auth/phone-token";
import { TwilioRest } from "../carriers/twilio/rest";
import { getCustomer } from "../db/customers";
import * as codes from "../db/phone-login-codes";
import { listPhoneNumbers } from "../db/phone-numbers";
import type { Env } from "../env";
import { ApiError, notFound, unauthorized } from "../lib/errors";
import { validate } from "../lib/validate";
import { intId, phoneNumber } from "../lib/schemas";

const CODE_TTL_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
/** Per number: at most this many codes in the window, so nobody can SMS-bomb a phone or brute-force by re-requesting. */
const SEND_LIMIT = 3;
const SEND_WINDOW_MS = 15 * 60_000;

const startBody = z.object({ customerId: intId, phoneNumber });
const verifyBody = startBody.extend({ code: z.string().regex(/^\d{6}$/, "must be 6 digits") });

/** A uniformly random 6-digit code (rejection sampling avoids modulo bias). */
function randomCode(): string {
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    const v = buf[0]!;
    if (v < 4_294_000_000) return String(v % 1_000_000).padStart(6, "0");
  }
}

const codeHash = (env: Env, customerId: number, phone: string, code: string) =>
  hmacSha256Hex(env, "phone-login-code", `${customerId}:${phone}:${code}`);

export const authRoutes = new Hono<AppEnv>()
  .post("/phone-login/start", validate("json", startBody), async (c) => {
    const { customerId, phoneNumber: phone } = c.req.valid("json");
    const customer = await getCustomer(c.env.DB, customerId);
    if (!customer) throw notFound(`Customer ${customerId} not found`);
    const windowStart = new Date(Date.now() - SEND_WINDOW_MS).toISOString();
    if ((await codes.codesSentSince(c.env.DB, customerId, phone, windowStart)) >= SEND_LIMIT) {
      throw new ApiError(
        429,
        "Too many codes requested for this number; try again later",
        {},
        { "Retry-After": String(SEND_WINDOW_MS / 1000) },
      );
    }
    const from = (await listPhoneNumbers(c.env.DB, customerId))[0]?.number;
    if (!from) throw new ApiError(409, "This customer has no phone number to send the code from");
    const code = randomCode();
    const twilio = await TwilioRest.forCustomer(c.env, customer.id);
    await twilio.sendSms(phone, from, `Your ${customer.name} verification code is ${code}. It expires in 5 minutes.`);
    const expiresAt = new Date(Date.now() + CODE_TTL_MS).toISOString();
    await codes.insertCode(c.env.DB, customerId, phone, await codeHash(c.env, customerId, phone, code), expiresAt);
    return c.json({ sent: true, expiresAt }, 202);
  })
  .post("/phone-login", validate("json", verifyBody), async (c) => {
    const { customerId, phoneNumber: phone, code } = c.req.valid("json");
    const live = await codes.latestLiveCode(c.env.DB, customerId, phone, new Date().toISOString());
    if (!live) throw unauthorized("Invalid or expired code");
    const counted = await codes.spendAttempt(c.env.DB, live.id, MAX_ATTEMPTS);
    if (!counted) throw new ApiError(429, "Too many attempts; request a new code");
    if (!(await timingSafeEqual(await codeHash(c.env, customerId, phone, code), live.code_hash))) {
      throw unauthorized("Invalid or expired code");
    }
    if (!(await codes.consumeCode(c.env.DB, live.id))) throw unauthorized("Invalid or expired code");
    return c.json(await issuePhoneToken(c.env, customerId, phone));
  });
