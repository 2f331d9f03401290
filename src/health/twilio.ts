import { twilioBaseUrl } from "../carriers/twilio/rest";
import type { Env } from "../env";
import { type Check, fail, pass } from "./check";
import { hostOf, probeJson, upstreamMessage } from "./probe";

/** A tenant's Twilio credentials as plain values, wherever they are stored. */
export interface TwilioCredentials {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  region: string | null;
  edge: string | null;
}

/** What this deployment expects of the account. */
export interface TwilioExpectations {
  /** The Worker's public origin (PUBLIC_BASE_URL or the request's). */
  origin: string;
  twimlAppSid: string;
  /** The tenant's numbers that an assistant answers: their voice URL must be this Worker's `/twiml`. */
  assistantNumbers: string[];
}

interface IncomingNumber {
  phone_number: string;
  voice_url: string | null;
  voice_method: string | null;
  voice_application_sid: string | null;
}
interface Application {
  sid: string;
  voice_url: string | null;
  voice_method: string | null;
}

/** Twilio's page size limit: one request sees up to 1000 numbers. */
const PAGE_SIZE = 1000;

/**
 * Three lines for one Twilio account: the credentials (one authenticated list of the account's numbers — API keys
 * of the Standard kind may not read the Account resource itself), the TwiML app's voice URL, and the voice URL of
 * every number an assistant answers. Talks to Twilio only with the values given.
 */
export async function twilioChecks(env: Env, creds: TwilioCredentials, expect: TwilioExpectations): Promise<Check[]> {
  const base = twilioBaseUrl(env, creds);
  const auth = { Authorization: `Basic ${btoa(`${creds.apiKeySid}:${creds.apiKeySecret}`)}` };
  const account = `${base}/2010-04-01/Accounts/${encodeURIComponent(creds.accountSid)}`;

  const list = await probeJson(`${account}/IncomingPhoneNumbers.json?PageSize=${PAGE_SIZE}`, auth);
  const refused = credentialsProblem(list, creds, base);
  if (refused) {
    const skipped = "not checked: twilio.credentials failed";
    const first = "Fix twilio.credentials first";
    return [refused, fail("twilio.twimlApp", skipped, first), fail("twilio.numbers", skipped, first)];
  }
  const page = ((list.reached ? list.body : null) ?? {}) as {
    incoming_phone_numbers?: IncomingNumber[];
    next_page_uri?: string | null;
  };
  const numbers = page.incoming_phone_numbers ?? [];
  const credentials = pass(
    "twilio.credentials",
    `API key ${creds.apiKeySid} accepted by ${hostOf(base)} for ${creds.accountSid} (${numbers.length} numbers)`,
  );
  const apps = new Map<string, Promise<Application | null>>();
  const app = (sid: string) => {
    if (!apps.has(sid)) apps.set(sid, fetchApplication(account, auth, sid));
    return apps.get(sid) as Promise<Application | null>;
  };
  return [
    credentials,
    await twimlAppCheck(await app(expect.twimlAppSid), expect),
    await numbersCheck(numbers, Boolean(page.next_page_uri), app, expect),
  ];
}

function credentialsProblem(
  list: Awaited<ReturnType<typeof probeJson>>,
  creds: TwilioCredentials,
  base: string,
): Check | null {
  const host = hostOf(base);
  const perRegion = `API keys are per region: this tenant's is ${creds.region ?? "us1"}, so the key must be created there`;
  const fix = `Create an API key in the Twilio console (${perRegion}) and PATCH /api/admin/customers/{id} with twilio.apiKeySid and twilio.apiKeySecret`;
  if (!list.reached)
    return fail("twilio.credentials", `${host} unreachable: ${list.reason}`, "Retry; check TWILIO_API_BASE_URL if set");
  if (list.status === 401 || list.status === 403) {
    return fail(
      "twilio.credentials",
      `${host} refused API key ${creds.apiKeySid}: ${upstreamMessage(list.body, `HTTP ${list.status}`)}`,
      fix,
    );
  }
  if (list.status !== 200) {
    return fail(
      "twilio.credentials",
      `${host} answered ${list.status}: ${upstreamMessage(list.body, "no message")}`,
      fix,
    );
  }
  return null;
}

async function fetchApplication(
  account: string,
  auth: Record<string, string>,
  sid: string,
): Promise<Application | null> {
  const res = await probeJson(`${account}/Applications/${encodeURIComponent(sid)}.json`, auth);
  return res.reached && res.status === 200 ? (res.body as Application) : null;
}

/** Whether a configured webhook is this Worker's `path`: same origin and path; a query (`?assistant_id=`) is allowed. */
function pointsAt(url: string | null, method: string | null, origin: string, path: string): string | null {
  const want = `${origin}${path}`;
  if (!url) return `has no voice URL (want ${want})`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `has voice URL "${url}", not a URL (want ${want})`;
  }
  if (`${u.origin}${u.pathname.replace(/\/+$/, "")}` !== want)
    return `answers at ${u.origin}${u.pathname}, not ${want}`;
  if ((method ?? "POST").toUpperCase() !== "POST") return `calls ${want} with ${method}, not POST`;
  return null;
}

function twimlAppCheck(app: Application | null, expect: TwilioExpectations): Check {
  const want = `${expect.origin}/api/TwilioCalls/voice`;
  const fix = `Twilio console → Voice → TwiML apps → ${expect.twimlAppSid}: Voice Request URL ${want} (POST)`;
  if (!app) return fail("twilio.twimlApp", `TwiML app ${expect.twimlAppSid} not found in this account`, fix);
  const problem = pointsAt(app.voice_url, app.voice_method, expect.origin, "/api/TwilioCalls/voice");
  return problem
    ? fail("twilio.twimlApp", `TwiML app ${app.sid} ${problem}`, fix)
    : pass("twilio.twimlApp", `TwiML app ${app.sid} → ${want}`);
}

async function numbersCheck(
  numbers: IncomingNumber[],
  truncated: boolean,
  app: (sid: string) => Promise<Application | null>,
  expect: TwilioExpectations,
): Promise<Check> {
  const want = `${expect.origin}/twiml`;
  if (expect.assistantNumbers.length === 0)
    return pass("twilio.numbers", "no number of this tenant is answered by an assistant");
  const byNumber = new Map(numbers.map((n) => [n.phone_number, n]));
  const problems: string[] = [];
  for (const number of expect.assistantNumbers) {
    const n = byNumber.get(number);
    if (!n) {
      problems.push(
        `${number} is not a number of this account${truncated ? ` (only the first ${PAGE_SIZE} were read)` : ""}`,
      );
      continue;
    }
    const viaApp = n.voice_application_sid ? await app(n.voice_application_sid) : null;
    const problem = n.voice_application_sid
      ? viaApp
        ? pointsAt(viaApp.voice_url, viaApp.voice_method, expect.origin, "/twiml")
        : `uses TwiML app ${n.voice_application_sid}, which was not found`
      : pointsAt(n.voice_url, n.voice_method, expect.origin, "/twiml");
    if (problem) problems.push(`${number} ${problem}`);
  }
  if (problems.length === 0)
    return pass("twilio.numbers", `${expect.assistantNumbers.length} assistant numbers → ${want}`);
  return fail(
    "twilio.numbers",
    problems.join("; "),
    `Twilio console → Phone Numbers → each number: "A call comes in" → Webhook ${want} (HTTP POST)`,
  );
}
