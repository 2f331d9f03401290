import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { hmacSha256Hex } from "../auth/crypto";
import { timingSafeEqual } from "../lib/hash";
import { issuePhoneToken } from "../auth/phone-token";
import { loadTwilioAccount } from "../carriers/twilio/account";
import { TwilioRest } from "../carriers/twilio/rest";
import { getCustomer, phoneLoginCountries, type CustomerRow } from "../db/customers";
import * as codes from "../db/phone-login-codes";
import { listPhoneNumbers } from "../db/phone-numbers";
import type { Env } from "../env";
import { clientIpKey } from "../lib/client-ip";
import { ApiError, unauthorized } from "../lib/errors";
import { callingCodeOf, callingCodeOfCountry, countryOf } from "../lib/phone-country";
import { spendOr429 } from "../limits/budget";
import { validate } from "../lib/validate";
import { intId, phoneNumber } from "../lib/schemas";

const CODE_TTL_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
/** Per number: at most this many codes in the window, so nobody can SMS-bomb a phone or brute-force by re-requesting. */
const SEND_LIMIT = 3;
const SEND_WINDOW_MS = 15 * 60_000;
/** The tenant's own hourly limit (customers.phone_login_hourly_limit) counts over this window. */
const TENANT_WINDOW_MS = 60 * 60_000;
/**
 * Per client address (an IPv6 /64), whichever tenant or number it asks for: SMS pumping comes from few clients.
 * Not lower: mobile carriers put many subscribers behind one IPv4 address (carrier-grade NAT), and the per-number
 * and per-tenant limits and the country rule are what bound a pumper's reach. Counted only for a real client
 * address (see clientIpKey).
 */
export const IP_BUDGET = { limit: 30, windowSeconds: 15 * 60 };

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

/**
 * Whether codes may go to this number's country: the tenant's list, or by default the countries of its own
 * numbers (an SMS abroad is where pumping fraud earns). A number no country's plan assigns (`+1 555 123 4567`,
 * the numbers of films, demos and test suites) reaches no premium-rate service, so it is judged by its calling
 * code instead; so is every number of that calling code for a tenant whose own number is such a one.
 */
function countryAllowed(customer: CustomerRow, ownNumbers: string[], phone: string): boolean {
  const configured = phoneLoginCountries(customer);
  const countries = configured ?? ownNumbers.map(countryOf).filter((c) => c !== null);
  const unassignedCodes = configured ? [] : ownNumbers.filter((n) => countryOf(n) === null).map(callingCodeOf);
  const country = countryOf(phone);
  const code = callingCodeOf(phone);
  if (code === null) return false;
  if (country !== null) return countries.includes(country) || unassignedCodes.includes(code);
  return unassignedCodes.includes(code) || countries.some((c) => callingCodeOfCountry(c) === code);
}

const log = (requestId: string, msg: string, customerId: number) =>
  console.warn(JSON.stringify({ level: "warn", requestId, msg, customerId }));

export const authRoutes = new Hono<AppEnv>()
  .post("/phone-login/start", validate("json", startBody), async (c) => {
    const { customerId, phoneNumber: phone } = c.req.valid("json");
    const expiresAt = new Date(Date.now() + CODE_TTL_MS).toISOString();
    // An unknown customer, or one that cannot send, gets the answer a sent code gets: nobody learns who is a tenant.
    const sent = () => c.json({ sent: true, expiresAt }, 202);
    const customer = await getCustomer(c.env.DB, customerId);
    if (!customer) return sent();
    const own = (await listPhoneNumbers(c.env.DB, customerId)).map((n) => n.number);
    const account = await loadTwilioAccount(c.env.DB, customerId);
    if (!own[0] || !account) {
      log(c.get("requestId"), "phone login: no Twilio account or number to send codes from", customerId);
      return sent();
    }
    if (!countryAllowed(customer, own, phone))
      throw new ApiError(403, "Codes cannot be sent to this number's country", {
        issues: [{ path: "phoneNumber", message: "its country is not enabled for phone login" }],
      });
    // The per-address budget is spent only once a code could be sent (the refusals above send nothing): every
    // request that could send an SMS counts, one the per-number or per-tenant limit then refuses included, and
    // refusals do not use up the starts of real users behind the same carrier NAT address. (What a refusal tells,
    // the 403 for a country, takes one request per tenant: no per-address budget would hide it.)
    // Counted only for a real client address: in production Cloudflare sets CF-Connecting-IP on every request (a
    // client cannot set it), so the limit always applies there; only local runs and tests on 127.0.0.1 come
    // without one or from a loopback one.
    const ipKey = clientIpKey(c.req.raw);
    if (ipKey)
      await spendOr429(
        c.env,
        `phone-login:ip:${ipKey}`,
        IP_BUDGET,
        "Too many codes requested from this address; try again later",
      );
    const code = randomCode();
    const now = Date.now();
    const claim = await codes.claimCode(c.env.DB, {
      customerId,
      phoneNumber: phone,
      codeHash: await codeHash(c.env, customerId, phone, code),
      expiresAt,
      perNumber: SEND_LIMIT,
      numberSince: new Date(now - SEND_WINDOW_MS).toISOString(),
      perTenant: customer.phone_login_hourly_limit,
      tenantSince: new Date(now - TENANT_WINDOW_MS).toISOString(),
    });
    if (!claim) {
      const windowStart = new Date(now - SEND_WINDOW_MS).toISOString();
      const numberFull = (await codes.codesSentSince(c.env.DB, customerId, phone, windowStart)) >= SEND_LIMIT;
      const [message, retryMs] = numberFull
        ? ["Too many codes requested for this number; try again later", SEND_WINDOW_MS]
        : ["Too many codes requested; try again later", TENANT_WINDOW_MS];
      throw new ApiError(429, message, {}, { "Retry-After": String(retryMs / 1000) });
    }
    try {
      await (await TwilioRest.forAccount(c.env, account)).sendSms(
        phone,
        own[0],
        // The code first: whoever reads it (or a fake taking the first 6 digits) gets it even when the name has digits.
        `${code} is your ${customer.name} verification code. It expires in 5 minutes.`,
      );
    } catch (e) {
      await codes.deleteCode(c.env.DB, customerId, claim.id);
      throw e;
    }
    return sent();
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
