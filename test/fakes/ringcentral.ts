/**
 * A fake RingCentral platform on loopback, speaking its wire format (docs/ringcentral.md): the OAuth token endpoint
 * (JWT and refresh-token grants, HTTP Basic client authentication), extension devices, WebHook subscriptions
 * (create performs the validation handshake against the address and fails like RingCentral, SUB-525, when the
 * answer is wrong; renew; cancel), call control (answer, forward), and a notifier. Errors are RingCentral's `{errorCode, message,
 * errors[]}`; anything unexpected is a loud 404. Control endpoints under /__fake/ are in ringcentral-control.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, readBody, sendJson, type RunningFake } from "./http";
import { control } from "./ringcentral-control";
import { answerSize } from "./ringcentral-delivery";
import { FakeState, partyJson, randomId, rcError, subscriptionJson, type App } from "./ringcentral-state";

const JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

function oauthError(res: ServerResponse, status: number, error: string, errorCode: string, message: string) {
  sendJson(res, status, { error, error_description: message, errors: [{ errorCode, message }] });
}

function token(state: FakeState, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const m = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
  const [clientId, secret] = m ? Buffer.from(m[1]!, "base64").toString("utf8").split(":") : [];
  const app = state.apps.get(clientId ?? "");
  if (!app || app.clientSecret !== secret) return oauthError(res, 401, "invalid_client", "OAU-123", "Invalid client");
  const form = new URLSearchParams(body.toString("utf8"));
  const grantType = form.get("grant_type") ?? "";
  state.tokenRequests.push({ clientId: app.clientId, grantType });
  const failure = state.takeFailure(app.clientId, "/restapi/oauth/token");
  if (failure) return fail(res, failure);
  if (grantType === JWT_GRANT) {
    if (form.get("assertion") !== app.jwt)
      return oauthError(res, 400, "invalid_grant", "OAU-140", "Invalid resource owner credentials");
  } else if (grantType === "refresh_token") {
    const r = state.refreshTokens.get(form.get("refresh_token") ?? "");
    if (!r || r.clientId !== app.clientId || r.expiresAt < Date.now())
      return oauthError(res, 400, "invalid_grant", "OAU-211", "Token is revoked");
    state.refreshTokens.delete(form.get("refresh_token") ?? "");
  } else return oauthError(res, 400, "unsupported_grant_type", "OAU-250", `Unsupported grant type: ${grantType}`);
  const access = randomId("at_", 24);
  const refresh = randomId("rt_", 24);
  state.tokens.set(access, { clientId: app.clientId, expiresAt: Date.now() + app.tokenTtl * 1000 });
  state.refreshTokens.set(refresh, { clientId: app.clientId, expiresAt: Date.now() + app.refreshTtl * 1000 });
  sendJson(res, 200, {
    access_token: access,
    token_type: "bearer",
    expires_in: app.tokenTtl,
    refresh_token: refresh,
    refresh_token_expires_in: app.refreshTtl,
    scope: "CallControl ReadAccounts WebhookSubscriptions",
    owner_id: app.extensionId,
    endpoint_id: randomId("ep_", 8),
  });
}

function fail(res: ServerResponse, f: { status: number; retryAfter?: string; errorCode?: string; message?: string }) {
  const headers: Record<string, string> = f.retryAfter !== undefined ? { "Retry-After": f.retryAfter } : {};
  const defaults: Record<number, [string, string]> = {
    401: ["OAU-128", "Access token expired"],
    403: ["CMN-419", "Caller is not the owner of the call"],
    404: ["CMN-102", "Resource for parameter [partyId] is not found"],
    429: ["CMN-301", "Request rate exceeded"],
  };
  const [code, message] = defaults[f.status] ?? ["CMN-500", "Internal server error"];
  rcError(res, f.status, f.errorCode ?? code, f.message ?? message, headers);
}

const json = (body: Buffer): Record<string, unknown> => {
  try {
    return JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
  } catch {
    return {};
  }
};

async function createSubscription(
  state: FakeState,
  app: App,
  res: ServerResponse,
  b: Record<string, unknown>,
  base: string,
) {
  const mode = (b.deliveryMode ?? {}) as Record<string, unknown>;
  const filters = b.eventFilters;
  if (!Array.isArray(filters) || !filters.length) return rcError(res, 400, "SUB-508", "Invalid event filters: []");
  const owned = `/restapi/v1.0/account/~/extension/~/telephony/sessions`;
  if (filters.some((f) => f !== owned && f !== "/restapi/v1.0/account/~/telephony/sessions"))
    return rcError(res, 400, "SUB-508", `Invalid event filters: ${JSON.stringify(filters)}`);
  if (mode.transportType !== "WebHook" || typeof mode.address !== "string" || !/^https?:\/\//.test(mode.address))
    return rcError(res, 400, "CMN-101", "Parameter [deliveryMode] value is invalid");
  // The handshake: RingCentral's POST with a Validation-Token, which the answer must echo (200, ≤ 1024 bytes).
  const validation = randomId("vt_", 16);
  const r = await state.deliveries.send(app.clientId, app.relay, mode.address, { "Validation-Token": validation }, "");
  if (r.status !== 200 || r.headers["validation-token"] !== validation || answerSize(r) > 1024)
    return rcError(res, 400, "SUB-525", "WebHook server response is invalid");
  const expiresIn = typeof b.expiresIn === "number" && b.expiresIn > 0 ? b.expiresIn : 604800;
  const s = {
    id: randomId("sub-", 16),
    clientId: app.clientId,
    eventFilters: filters as string[],
    address: mode.address,
    verificationToken: typeof mode.verificationToken === "string" ? mode.verificationToken : null,
    expiresIn,
    expiresAt: Date.now() + expiresIn * 1000,
    creationTime: new Date().toISOString(),
    status: "Active" as const,
  };
  state.subscriptions.set(s.id, s);
  sendJson(res, 200, subscriptionJson(s, base));
}

function callControl(state: FakeState, app: App, res: ServerResponse, m: RegExpExecArray, b: Record<string, unknown>) {
  const [, sessionId, partyId, action] = m as unknown as [string, string, string, "answer" | "forward"];
  const session = state.sessions.get(sessionId);
  const party = session?.clientId === app.clientId ? session.parties.find((p) => p.id === partyId) : undefined;
  if (!session || !party) return rcError(res, 404, "CMN-102", "Resource for parameter [partyId] is not found");
  // Only the call's owner may control it, whatever the caller's role (seed 004).
  if (party.extensionId !== app.extensionId) return rcError(res, 403, "CMN-419", "Caller is not the owner of the call");
  if (action === "answer") {
    const devices = state.devices.get(app.extensionId) ?? [];
    if (typeof b.deviceId !== "string" || !devices.some((d) => d.id === b.deviceId && d.status === "Online"))
      return rcError(res, 400, "CMN-101", "Parameter [deviceId] value is invalid");
    party.status = { code: "Answered" };
  } else {
    if (typeof b.phoneNumber !== "string" || !/^\+[1-9]\d{5,14}$/.test(b.phoneNumber))
      return rcError(res, 400, "CMN-101", "Parameter [phoneNumber] value is invalid");
    party.status = { code: "Gone", reason: "CallRedirected" };
  }
  state.commands.push({ clientId: app.clientId, action, telephonySessionId: sessionId, partyId, body: b });
  sendJson(res, 200, partyJson(party, app));
}

async function api(state: FakeState, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, base: string) {
  const t = state.tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
  if (!t) return rcError(res, 401, "OAU-213", "Token not found");
  if (t.expiresAt < Date.now()) return rcError(res, 401, "OAU-128", "Access token expired");
  const app = state.apps.get(t.clientId)!;
  const p = url.pathname;
  const log = { clientId: app.clientId, method: req.method ?? "GET", path: p, status: 200 };
  state.requests.push(log);
  const failure = state.takeFailure(app.clientId, p);
  if (failure) {
    log.status = failure.status;
    return fail(res, failure);
  }
  const devicesM = /^\/restapi\/v1\.0\/account\/~\/extension\/([^/]+)\/device$/.exec(p);
  if (devicesM && req.method === "GET") {
    const ext = devicesM[1] === "~" ? app.extensionId : devicesM[1]!;
    if (ext !== app.extensionId)
      return rcError(
        res,
        403,
        "CMN-408",
        "In order to call this API endpoint, user needs to have [ReadUserDevices] permission",
      );
    const records = (state.devices.get(ext) ?? []).map((d) => ({
      uri: `${base}${p}/${d.id}`,
      type: "HardPhone",
      name: d.id,
      ...d,
    }));
    return sendJson(res, 200, {
      uri: base + p,
      records,
      paging: { page: 1, perPage: 100, totalElements: records.length },
    });
  }
  const ccM = /^\/restapi\/v1\.0\/account\/~\/telephony\/sessions\/([^/]+)\/parties\/([^/]+)\/(answer|forward)$/.exec(
    p,
  );
  if (ccM && req.method === "POST") return callControl(state, app, res, ccM, json(body));
  if (p === "/restapi/v1.0/subscription" && req.method === "POST")
    return createSubscription(state, app, res, json(body), base);
  const renewM = /^\/restapi\/v1\.0\/subscription\/([^/]+)\/renew$/.exec(p);
  if (renewM && req.method === "POST") {
    const s = state.subscriptions.get(renewM[1]!);
    if (!s || s.clientId !== app.clientId || s.expiresAt < Date.now())
      return rcError(res, 404, "SUB-507", `Subscription with key [${renewM[1]}] was expired`);
    s.expiresAt = Date.now() + s.expiresIn * 1000;
    return sendJson(res, 200, subscriptionJson(s, base));
  }
  const subM = /^\/restapi\/v1\.0\/subscription\/([^/]+)$/.exec(p);
  if (subM && req.method === "DELETE") {
    const s = state.subscriptions.get(subM[1]!);
    if (!s || s.clientId !== app.clientId) {
      log.status = 404;
      return rcError(res, 404, "SUB-507", `Subscription with key [${subM[1]}] was not found`);
    }
    state.subscriptions.delete(s.id);
    log.status = 204;
    return void res.writeHead(204).end();
  }
  log.status = 404;
  rcError(res, 404, "CMN-102", `Resource ${req.method} ${p} is not found`);
}

export async function startRingCentralFake(at: { port?: number; host?: string } = {}): Promise<RunningFake> {
  const state = new FakeState();
  const fake: RunningFake = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const body = await readBody(req);
    if (url.pathname.startsWith("/__fake/")) return control(state, req, res, url, body);
    if (url.pathname === "/restapi/oauth/token" && req.method === "POST") return token(state, req, res, body);
    if (url.pathname.startsWith("/restapi/v1.0/")) return api(state, req, res, url, body, fake.url);
    rcError(res, 404, "CMN-102", `Resource ${req.method} ${url.pathname} is not found`);
  }, at);
  return fake;
}
