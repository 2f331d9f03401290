/**
 * The fake Telnyx's REST API (`/v2/calls…`): authentication, injected failures, command_id de-duplication and
 * the 90018 answer for an ended call; what each command checks and does is in calls.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http";
import { act, callStatus, dial, telnyxError, type Account, type Command, type FakeCall, type Failure } from "./calls";

export interface TelnyxState {
  accounts: Map<string, Account>;
  calls: Map<string, FakeCall>;
  commands: Command[];
  failures: Failure[];
}

export function handleApi(t: TelnyxState, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
  const { accounts, calls, commands, failures } = t;
  const a = accounts.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
  if (!a)
    return telnyxError(res, {
      status: 401,
      code: "10009",
      title: "Authentication failed",
      detail: "The API key is missing or invalid.",
    });
  let b: Record<string, unknown> = {};
  if (body.length) {
    try {
      b = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      return telnyxError(res, { status: 400, code: "10015", title: "Bad Request", detail: "The body is not JSON." });
    }
  }
  const rec = /^\/v2\/recordings\/([^/]+)$/.exec(url.pathname);
  if (rec && req.method === "DELETE") return deleteRecording(t, a, decodeURIComponent(rec[1]!), res);
  const m = /^\/v2\/calls(?:\/([^/]+)(?:\/actions\/([a-z_]+))?)?$/.exec(url.pathname);
  const callControlId = m?.[1] ? decodeURIComponent(m[1]) : null;
  const command: Command = {
    apiKey: a.apiKey,
    method: req.method ?? "GET",
    path: url.pathname,
    action: m?.[2] ?? (callControlId ? "status" : "dial"),
    callControlId,
    body: b,
    status: 200,
  };
  commands.push(command);
  const answer = (status: number, data: unknown) => {
    command.status = status;
    sendJson(res, status, { data });
  };
  const fail = (status: number, problem: Parameters<typeof telnyxError>[1]) => {
    command.status = status;
    telnyxError(res, problem);
  };
  const failure = failures.find((f) => f.times > 0 && new RegExp(f.pathPattern).test(url.pathname));
  if (failure) {
    failure.times--;
    command.status = failure.status;
    return sendJson(res, failure.status, { errors: failure.errors });
  }
  if (!m)
    return fail(404, {
      status: 404,
      code: "10005",
      title: "Resource not found",
      detail: `No route ${req.method} ${url.pathname}`,
    });
  if (!callControlId && req.method === "POST") {
    const r = dial(a, b);
    if ("problem" in r) return fail(r.problem.status, r.problem);
    calls.set(r.call.call_control_id, r.call);
    return answer(200, { ...callStatus(r.call), is_alive: false });
  }
  const call = callControlId ? calls.get(callControlId) : undefined;
  if (!call || call.apiKey !== a.apiKey)
    return fail(404, { status: 404, code: "10005", title: "Resource not found", detail: "The call does not exist." });
  if (req.method === "GET" && !m[2]) return answer(200, callStatus(call));
  if (req.method !== "POST" || !m[2])
    return fail(404, { status: 404, code: "10005", title: "Resource not found", detail: "No such route." });
  if (call.state === "hangup")
    return fail(422, {
      status: 422,
      code: "90018",
      title: "Call has already ended",
      detail: "This call is no longer active and can't receive commands.",
    });
  const commandId = typeof b.command_id === "string" ? b.command_id : null;
  if (
    commandId &&
    commands.some(
      (c) => c !== command && c.callControlId === callControlId && c.body.command_id === commandId && c.status === 200,
    )
  ) {
    command.duplicate = true;
    return answer(200, { result: "ok" });
  }
  const problem = act(call, m[2], b);
  return problem ? fail(problem.status, problem) : answer(200, { result: "ok" });
}

/** DELETE /v2/recordings/{id}: Telnyx's copy of a recording goes (kept as a command; a second delete is a 404). */
function deleteRecording(t: TelnyxState, a: Account, id: string, res: ServerResponse): void {
  const gone = t.commands.some(
    (c) => c.apiKey === a.apiKey && c.action === "delete_recording" && c.callControlId === id,
  );
  const status = gone ? 404 : 200;
  t.commands.push({
    apiKey: a.apiKey,
    method: "DELETE",
    path: `/v2/recordings/${id}`,
    action: "delete_recording",
    callControlId: id,
    body: {},
    status,
  });
  if (gone)
    return telnyxError(res, { status: 404, code: "10005", title: "Resource not found", detail: "No such recording." });
  sendJson(res, 200, { data: { id, record_type: "recording", status: "deleted" } });
}
