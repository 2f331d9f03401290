/**
 * A fake Twilio REST API (2010-04-01) on loopback, speaking Twilio's wire format: form-encoded requests,
 * snake_case JSON resources, `{code, message, more_info, status}` errors, HTTP Basic auth with an API key.
 * Tests register each tenant's account first (POST /__fake/accounts); requests for unknown accounts or
 * with wrong credentials fail as Twilio would (20003), and unexpected paths fail loudly (404 20404).
 *
 * Control endpoints (tests only): /__fake/accounts, /__fake/messages, /__fake/calls, /__fake/recordings/{RE},
 * /__fake/fail (inject the next failures), /__fake/requests, /__fake/calls/{CA}/complete {status} (the call
 * ends: busy, no-answer, …) and /__fake/callbacks/take (the status callbacks Twilio would have posted, see
 * twilio-callbacks.ts), and /__fake/reference/* (the official `twilio` package's AccessToken, VoiceResponse
 * and signature helpers as an oracle, see twilio-reference.ts).
 * `POST /__fake/calls/{CA}/events {event, …}` moves a REST-created call on (ringing, answer, amd, end) and answers
 * the webhooks Twilio would send for it now, signed with the account's auth token (twilio-events.ts); the test
 * delivers them to the Worker, which the fake cannot reach.
 * A recording PUT may ask for `?chunked=1` (served without Content-Length) or `?truncateAfter=N` (the
 * connection drops after N bytes of a full-length Content-Length), to exercise both upload paths and failures.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, readBody, sendJson, type RunningFake } from "./http";
import { StatusCallbacks } from "./twilio-callbacks";
import { referenceAccessToken, referenceSignature, referenceTwiml } from "./twilio-reference";
import { callEvent, type CallEvent } from "./twilio-events";
import { numbersApi, numbersControl } from "./twilio-numbers";

interface Account {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  /** Numbers the account owns; when non-empty, calls/messages From other numbers fail with 21210/21606. */
  numbers: string[];
  /** Signs the webhooks the fake composes (/__fake/calls/{CA}/events, twilio-events.ts; twilio-callbacks.ts). */
  authToken?: string;
}

export interface FakeCall {
  sid: string;
  account_sid: string;
  parent_call_sid: string | null;
  to: string;
  from: string;
  status: string;
  direction: string;
  start_time: string | null;
  end_time: string | null;
  duration: string | null;
  date_created: string;
  date_updated: string;
  api_version: string;
  uri: string;
  /** Everything the creating request sent (Url, StatusCallback, …), for assertions; not a Twilio field. */
  request_params?: Record<string, string | string[]>;
}

interface Failure {
  pathPattern: string;
  status: number;
  code: number;
  message: string;
  times: number;
}

const sidOf = (prefix: string) => prefix + randomBytes(16).toString("hex");
const rfc2822 = (d = new Date()) => d.toUTCString().replace("GMT", "+0000");

function twilioError(res: ServerResponse, status: number, code: number, message: string) {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function formParams(body: Buffer): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body.toString("utf8"))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const one = (p: Record<string, string | string[]>, k: string) => {
  const v = p[k];
  return Array.isArray(v) ? v[0] : v;
};

export async function startTwilioFake(): Promise<RunningFake> {
  const accounts = new Map<string, Account>();
  const calls = new Map<string, FakeCall>();
  const messages: Record<string, unknown>[] = [];
  const recordings = new Map<
    string,
    { accountSid: string; body: Buffer; contentType: string; chunked: boolean; truncateAfter: number | null }
  >();
  const failures: Failure[] = [];
  const callbacks = new StatusCallbacks();
  const finish = (call: FakeCall, status: string) => {
    call.status = status;
    call.end_time = rfc2822();
    call.date_updated = call.end_time;
    return callbacks.ended(call, status, accounts.get(call.account_sid)?.authToken);
  };
  const requests: { method: string; path: string; params: Record<string, string | string[]>; accountSid: string }[] =
    [];

  function control(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const json = () => JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    const p = url.pathname;
    if (p === "/__fake/accounts" && req.method === "POST") {
      const a = json() as unknown as Account;
      accounts.set(a.accountSid, { ...a, numbers: a.numbers ?? [] });
      return sendJson(res, 201, { ok: true });
    }
    if (p === "/__fake/messages") {
      const to = url.searchParams.get("To");
      return sendJson(
        res,
        200,
        messages.filter((m) => !to || m.to === to),
      );
    }
    if (p === "/__fake/requests") {
      const a = url.searchParams.get("accountSid");
      return sendJson(
        res,
        200,
        requests.filter((r) => !a || r.accountSid === a),
      );
    }
    if (p === "/__fake/calls" && req.method === "GET") {
      const a = url.searchParams.get("accountSid");
      return sendJson(
        res,
        200,
        [...calls.values()].filter((c) => !a || c.account_sid === a),
      );
    }
    const completeMatch = /^\/__fake\/calls\/(CA[0-9a-f]{32})\/complete$/.exec(p);
    if (completeMatch && req.method === "POST") {
      const call = calls.get(completeMatch[1]!);
      if (!call) return sendJson(res, 404, { error: `fake twilio: no call ${completeMatch[1]}` });
      const queued = finish(call, String(json().status));
      return sendJson(res, 200, { call, callbackQueued: queued });
    }
    if (p === "/__fake/callbacks/take" && req.method === "POST") {
      return sendJson(res, 200, callbacks.take(url.searchParams.get("accountSid")));
    }
    const callMatch = /^\/__fake\/calls\/(CA[0-9a-f]{32})$/.exec(p);
    if (callMatch && req.method === "POST") {
      // Create or modify a call as Twilio would have (e.g. the dialed child leg, or a status change).
      const patch = json() as Partial<FakeCall>;
      const sid = callMatch[1]!;
      const existing = calls.get(sid);
      const acct = (patch.account_sid ?? existing?.account_sid)!;
      const now = rfc2822();
      const call: FakeCall = {
        sid,
        account_sid: acct,
        parent_call_sid: null,
        to: "",
        from: "",
        status: "queued",
        direction: "outbound-dial",
        start_time: null,
        end_time: null,
        duration: null,
        date_created: now,
        date_updated: now,
        api_version: "2010-04-01",
        uri: `/2010-04-01/Accounts/${acct}/Calls/${sid}.json`,
        ...existing,
        ...patch,
      };
      calls.set(sid, call);
      return sendJson(res, 200, call);
    }
    const eventMatch = /^\/__fake\/calls\/(CA[0-9a-f]{32})\/events$/.exec(p);
    if (eventMatch && req.method === "POST") {
      const call = calls.get(eventMatch[1]!);
      const account = call ? accounts.get(call.account_sid) : undefined;
      if (!call || !account?.authToken)
        return sendJson(res, 404, { error: "fake twilio: no such call or no auth token" });
      const out = callEvent(call, account.authToken, json() as unknown as CallEvent);
      if ("error" in out) return sendJson(res, 400, out);
      return sendJson(res, 200, out);
    }
    const recMatch = /^\/__fake\/recordings\/(RE[0-9a-f]{32})$/.exec(p);
    if (recMatch && req.method === "PUT") {
      recordings.set(recMatch[1]!, {
        accountSid: url.searchParams.get("accountSid") ?? "",
        body,
        contentType: req.headers["content-type"] ?? "audio/x-wav",
        chunked: url.searchParams.get("chunked") === "1",
        truncateAfter: url.searchParams.has("truncateAfter") ? Number(url.searchParams.get("truncateAfter")) : null,
      });
      return sendJson(res, 201, { ok: true });
    }
    if (p === "/__fake/reference/access-token" && req.method === "POST")
      return sendJson(res, 200, referenceAccessToken(json() as never));
    if (p === "/__fake/reference/twiml" && req.method === "POST")
      return sendJson(res, 200, referenceTwiml(json() as never));
    if (p === "/__fake/reference/signature" && req.method === "POST")
      return sendJson(res, 200, referenceSignature(json() as never));
    if (numbersControl(res, p, req.method ?? "GET", json)) return;
    if (p === "/__fake/fail" && req.method === "POST") {
      const f = json() as unknown as Failure;
      failures.push({ ...f, times: f.times ?? 1 });
      return sendJson(res, 201, { ok: true });
    }
    if (p === "/__fake/fail" && req.method === "DELETE") {
      const pattern = url.searchParams.get("pathPattern");
      for (const f of failures) if (f.pathPattern === pattern) f.times = 0;
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: `fake twilio: unknown control ${req.method} ${p}` });
  }

  function authenticate(req: IncomingMessage, accountSid: string): Account | null {
    const a = accounts.get(accountSid);
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
    if (!a || !m) return null;
    const [user, pass] = Buffer.from(m[1]!, "base64").toString("utf8").split(":");
    return user === a.apiKeySid && pass === a.apiKeySecret ? a : null;
  }

  function createCall(res: ServerResponse, a: Account, params: Record<string, string | string[]>) {
    const to = one(params, "To");
    const from = one(params, "From");
    const url = one(params, "Url");
    const twiml = one(params, "Twiml");
    if (!to) return twilioError(res, 400, 21201, "No 'To' number is specified");
    if (!from) return twilioError(res, 400, 21213, "No 'From' number is specified");
    if (!url && !twiml && !one(params, "ApplicationSid"))
      return twilioError(res, 400, 21205, "Url parameter is required.");
    if (url && !/^https?:\/\//.test(url)) return twilioError(res, 400, 21205, `Url is not a valid URL: ${url}`);
    const amd = one(params, "MachineDetection");
    if (amd !== undefined && amd !== "Enable" && amd !== "DetectMessageEnd")
      return twilioError(res, 400, 20001, `MachineDetection must be Enable or DetectMessageEnd, not ${amd}`);
    const asyncAmd = one(params, "AsyncAmd");
    if (asyncAmd !== undefined && asyncAmd !== "true" && asyncAmd !== "false")
      return twilioError(res, 400, 20001, `AsyncAmd must be true or false, not ${asyncAmd}`);
    const amdCallback = one(params, "AsyncAmdStatusCallback");
    if (amdCallback !== undefined && !/^https?:\/\//.test(amdCallback))
      return twilioError(res, 400, 21205, `AsyncAmdStatusCallback is not a valid URL: ${amdCallback}`);
    if (!/^\+[1-9]\d{5,14}$/.test(to) && !to.startsWith("client:")) {
      return twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    }
    if (a.numbers.length && !a.numbers.includes(from)) {
      return twilioError(
        res,
        400,
        21210,
        `The source phone number provided, ${from}, is not yet verified for your account.`,
      );
    }
    const sid = sidOf("CA");
    const now = rfc2822();
    const call: FakeCall = {
      sid,
      account_sid: a.accountSid,
      parent_call_sid: null,
      to,
      from,
      status: "queued",
      direction: "outbound-api",
      start_time: null,
      end_time: null,
      duration: null,
      date_created: now,
      date_updated: now,
      api_version: "2010-04-01",
      uri: `/2010-04-01/Accounts/${a.accountSid}/Calls/${sid}.json`,
      request_params: params,
    };
    calls.set(sid, call);
    return sendJson(res, 201, call);
  }

  return listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const body = await readBody(req);
    if (url.pathname.startsWith("/__fake/")) return control(req, res, url, body);

    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})(\/.*)$/.exec(url.pathname);
    if (!m) return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    const [, accountSid, rest] = m as unknown as [string, string, string];
    const params = req.method === "POST" ? formParams(body) : Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, params, accountSid });

    const a = authenticate(req, accountSid);
    if (!a) return twilioError(res, 401, 20003, "Authenticate");

    const failure = failures.find((f) => f.times > 0 && new RegExp(f.pathPattern).test(url.pathname));
    if (failure) {
      failure.times--;
      return twilioError(res, failure.status, failure.code, failure.message);
    }

    if (rest === "/Messages.json" && req.method === "POST") {
      const to = one(params, "To");
      const from = one(params, "From");
      const text = one(params, "Body");
      if (!to || !/^\+[1-9]\d{5,14}$/.test(to))
        return twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${to ?? ""}`);
      if (!from) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (!text) return twilioError(res, 400, 21602, "Message body is required.");
      if (a.numbers.length && !a.numbers.includes(from))
        return twilioError(
          res,
          400,
          21606,
          `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
        );
      const sid = sidOf("SM");
      const msg = {
        sid,
        account_sid: accountSid,
        to,
        from,
        body: text,
        status: "queued",
        direction: "outbound-api",
        num_segments: "1",
        date_created: rfc2822(),
        date_updated: rfc2822(),
        date_sent: null,
        api_version: "2010-04-01",
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      };
      messages.push(msg);
      return sendJson(res, 201, msg);
    }
    if (rest === "/Calls.json" && req.method === "POST") return createCall(res, a, params);
    if (rest === "/Calls.json" && req.method === "GET") {
      const parent = url.searchParams.get("ParentCallSid");
      const status = url.searchParams.get("Status");
      const list = [...calls.values()]
        .filter(
          (c) =>
            c.account_sid === accountSid &&
            (!parent || c.parent_call_sid === parent) &&
            (!status || c.status === status),
        )
        .sort((x, y) => y.date_created.localeCompare(x.date_created));
      const pageSize = Number(url.searchParams.get("PageSize") ?? 50);
      return sendJson(res, 200, {
        calls: list.slice(0, pageSize),
        page: 0,
        page_size: pageSize,
        start: 0,
        end: Math.min(list.length, pageSize) - 1,
        first_page_uri: url.pathname + url.search,
        next_page_uri: null,
        previous_page_uri: null,
        uri: url.pathname + url.search,
      });
    }
    const callM = /^\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest);
    if (callM) {
      const call = calls.get(callM[1]!);
      if (!call || call.account_sid !== accountSid)
        return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
      if (req.method === "POST") {
        const status = one(params, "Status");
        if (status) finish(call, status);
        call.request_params = { ...call.request_params, ...params };
        call.date_updated = rfc2822();
      }
      return sendJson(res, 200, call);
    }
    if (numbersApi(res, accountSid, rest, url, req.method ?? "GET")) return;
    const recM = /^\/Recordings\/(RE[0-9a-f]{32})(\.wav|\.mp3)?$/.exec(rest);
    if (recM && req.method === "GET") {
      const r = recordings.get(recM[1]!);
      if (!r || r.accountSid !== accountSid)
        return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
      if (r.chunked) {
        res.writeHead(200, { "Content-Type": r.contentType });
        for (let at = 0; at < r.body.length; at += 64 * 1024) res.write(r.body.subarray(at, at + 64 * 1024));
        return void res.end();
      }
      res.writeHead(200, { "Content-Type": r.contentType, "Content-Length": String(r.body.length) });
      if (r.truncateAfter !== null) {
        res.write(r.body.subarray(0, r.truncateAfter));
        return void setTimeout(() => res.destroy(), 20);
      }
      return void res.end(r.body);
    }
    // Deleting a recording: Twilio answers 204 with no body; a second time, 404 like any unknown resource.
    const recJson = /^\/Recordings\/(RE[0-9a-f]{32})\.json$/.exec(rest);
    if (recJson && req.method === "DELETE") {
      const r = recordings.get(recJson[1]!);
      if (!r || r.accountSid !== accountSid)
        return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
      recordings.delete(recJson[1]!);
      res.writeHead(204);
      return void res.end();
    }
    return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
  });
}
