/**
 * The fake Twilio's IncomingPhoneNumbers and Applications (2010-04-01), in Twilio's wire format: snake_case
 * resources, list pages with `incoming_phone_numbers` and paging fields, `PhoneNumber`/`PageSize` filters.
 * Tests configure an account's numbers and TwiML apps through /__fake/incoming-numbers and /__fake/applications
 * (JSON: `{accountSid, phoneNumber, voiceUrl?, voiceMethod?, voiceApplicationSid?}` and
 * `{accountSid, sid, voiceUrl?, voiceMethod?}`); a number or app registered again is replaced.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "./http";

interface Stored {
  accountSid: string;
  resource: Record<string, unknown>;
}
const numbers = new Map<string, Stored>(); // by accountSid + phone number
const apps = new Map<string, Stored>(); // by app SID

const rfc2822 = (d = new Date()) => d.toUTCString().replace("GMT", "+0000");
const str = (v: unknown) => (typeof v === "string" ? v : null);

function numberResource(accountSid: string, b: Record<string, unknown>) {
  const sid = `PN${randomBytes(16).toString("hex")}`;
  const now = rfc2822();
  return {
    account_sid: accountSid,
    address_requirements: "none",
    address_sid: null,
    api_version: "2010-04-01",
    beta: false,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    date_created: now,
    date_updated: now,
    emergency_status: "Inactive",
    emergency_address_sid: null,
    emergency_address_status: "unregistered",
    friendly_name: str(b.phoneNumber),
    identity_sid: null,
    origin: "twilio",
    phone_number: str(b.phoneNumber),
    sid,
    sms_application_sid: "",
    sms_fallback_method: "POST",
    sms_fallback_url: "",
    sms_method: "POST",
    sms_url: "",
    status_callback: "",
    status_callback_method: "POST",
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`,
    voice_receive_mode: "voice",
    voice_application_sid: str(b.voiceApplicationSid) ?? "",
    voice_caller_id_lookup: false,
    voice_fallback_method: "POST",
    voice_fallback_url: null,
    voice_method: str(b.voiceMethod) ?? "POST",
    voice_url: str(b.voiceUrl) ?? "",
    bundle_sid: null,
    status: "in-use",
    type: "local",
  };
}

function appResource(accountSid: string, b: Record<string, unknown>) {
  const sid = str(b.sid) ?? "";
  const now = rfc2822();
  return {
    account_sid: accountSid,
    api_version: "2010-04-01",
    date_created: now,
    date_updated: now,
    friendly_name: "voicedesk",
    message_status_callback: null,
    sid,
    sms_fallback_method: "POST",
    sms_fallback_url: "",
    sms_method: "POST",
    sms_status_callback: null,
    sms_url: "",
    status_callback: str(b.statusCallback) ?? "",
    status_callback_method: "POST",
    uri: `/2010-04-01/Accounts/${accountSid}/Applications/${sid}.json`,
    voice_caller_id_lookup: false,
    voice_fallback_method: "POST",
    voice_fallback_url: null,
    voice_method: str(b.voiceMethod) ?? "POST",
    voice_url: str(b.voiceUrl) ?? "",
    public_application_connect_enabled: false,
  };
}

/** Control endpoints; false when the path is not one of them. */
export function numbersControl(
  res: ServerResponse,
  path: string,
  method: string,
  json: () => Record<string, unknown>,
): boolean {
  if (path === "/__fake/incoming-numbers" && method === "POST") {
    const body = json();
    const accountSid = str(body.accountSid) ?? "";
    numbers.set(accountSid + str(body.phoneNumber), { accountSid, resource: numberResource(accountSid, body) });
    sendJson(res, 201, { ok: true });
    return true;
  }
  if (path === "/__fake/applications" && method === "POST") {
    const body = json();
    const accountSid = str(body.accountSid) ?? "";
    apps.set(str(body.sid) ?? "", { accountSid, resource: appResource(accountSid, body) });
    sendJson(res, 201, { ok: true });
    return true;
  }
  return false;
}

const notFound = (res: ServerResponse, path: string) =>
  sendJson(res, 404, {
    code: 20404,
    message: `The requested resource ${path} was not found`,
    more_info: "https://www.twilio.com/docs/errors/20404",
    status: 404,
  });

/** `GET …/IncomingPhoneNumbers.json` and `GET …/Applications/{AP}.json` of an authenticated account. */
export function numbersApi(res: ServerResponse, accountSid: string, rest: string, url: URL, method: string): boolean {
  if (method !== "GET") return false;
  if (rest === "/IncomingPhoneNumbers.json") {
    const filter = url.searchParams.get("PhoneNumber");
    const pageSize = Math.min(Number(url.searchParams.get("PageSize") ?? 50), 1000);
    const all = [...numbers.values()]
      .filter((n) => n.accountSid === accountSid && (!filter || String(n.resource.phone_number).includes(filter)))
      .map((n) => n.resource);
    const page = all.slice(0, pageSize);
    const uri = url.pathname + url.search;
    sendJson(res, 200, {
      end: Math.max(page.length - 1, 0),
      first_page_uri: uri,
      incoming_phone_numbers: page,
      next_page_uri: all.length > pageSize ? `${url.pathname}?PageSize=${pageSize}&Page=1` : null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    });
    return true;
  }
  const m = /^\/Applications\/(AP[0-9a-f]{32})\.json$/.exec(rest);
  if (m) {
    const app = apps.get(m[1] as string);
    if (!app || app.accountSid !== accountSid) notFound(res, url.pathname);
    else sendJson(res, 200, app.resource);
    return true;
  }
  return false;
}
