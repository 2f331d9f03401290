/**
 * The RingCentral fake's control endpoints (tests only; ringcentral.ts is the platform side):
 *
 *   POST /__fake/apps                 {clientId, clientSecret, jwt, extensionId, accountId?, relay?, tokenTtl?}
 *   POST /__fake/apps/{clientId}      {tokenTtl?, refreshTtl?, revokeTokens?}  next tokens' lifetime; revoke all
 *   GET  /__fake/token-requests?clientId=      every token request: [{grantType}]
 *   GET  /__fake/requests?clientId=            every API request: [{method, path, status}]
 *   POST /__fake/fail                 {clientId, pathPattern, status, times?, retryAfter?, errorCode?, message?}
 *   POST /__fake/devices              {extensionId, devices: [{id, status: Online|Offline, type?}]}
 *   POST /__fake/calls                {clientId, from, to, extensionId?, direction?} → {telephonySessionId, partyId}
 *   GET  /__fake/commands?clientId=            call control done: [{action, telephonySessionId, partyId, body}]
 *   GET  /__fake/subscriptions?clientId=       DELETE /__fake/subscriptions/{id} (RingCentral forgot it)
 *   POST /__fake/notify               {clientId, telephonySessionId, status, reason?, sequence?, verificationToken?}
 *        → the notification POSTed to the subscription's address (Verification-Token = the subscription's, or the
 *          given one; null sends none), answered with {status, body, notification}; `raw` sends a body as given
 *   GET  /__fake/outbox/next, POST /__fake/outbox/{id}: see ringcentral-delivery.ts
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http";
import { partyJson, randomId, subscriptionJson, type FakeState, type Failure } from "./ringcentral-state";

type Json = Record<string, unknown>;

function notify(
  state: FakeState,
  b: Json,
): { error: string } | { url: string; headers: Json; body: Json; relay: boolean; clientId: string } {
  const app = state.apps.get(String(b.clientId));
  const sub = app ? state.subscriptionOf(app.clientId) : null;
  if (!app || !sub) return { error: "no app or no live subscription for this clientId" };
  const headers: Json = { "Content-Type": "application/json; charset=UTF-8", "User-Agent": "RingCentral-Webhook/8.3" };
  const token = b.verificationToken === undefined ? sub.verificationToken : b.verificationToken;
  if (token !== null) headers["Verification-Token"] = token;
  if (b.raw !== undefined)
    return { url: sub.address, headers, body: b.raw as Json, relay: app.relay, clientId: app.clientId };
  const session = state.sessions.get(String(b.telephonySessionId));
  if (!session || session.clientId !== app.clientId) return { error: "unknown telephonySessionId" };
  const party = session.parties[0]!;
  if (typeof b.status === "string")
    party.status = { code: b.status, ...(typeof b.reason === "string" ? { reason: b.reason } : {}) };
  const sequence = typeof b.sequence === "number" ? b.sequence : ++session.sequence;
  const event = `/restapi/v1.0/account/${app.accountId}/extension/${app.extensionId}/telephony/sessions`;
  const body = {
    uuid: randomUUID(),
    event,
    timestamp: new Date().toISOString(),
    subscriptionId: sub.id,
    ownerId: app.extensionId,
    body: {
      sequence,
      sessionId: randomId("", 6),
      telephonySessionId: session.telephonySessionId,
      serverId: "10.13.22.28.TAM",
      eventTime: new Date().toISOString(),
      origin: { type: "Call" },
      parties: session.parties.map((p) => partyJson(p, app)),
    },
  };
  return { url: sub.address, headers, body, relay: app.relay, clientId: app.clientId };
}

export async function control(state: FakeState, req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer) {
  const b = JSON.parse(raw.toString("utf8") || "{}") as Json;
  const p = url.pathname;
  const clientId = url.searchParams.get("clientId");
  const mine = <T extends { clientId: string }>(list: Iterable<T>) => [...list].filter((x) => x.clientId === clientId);
  if (p === "/__fake/apps" && req.method === "POST") {
    const clientId = String(b.clientId);
    state.apps.set(clientId, {
      clientId,
      clientSecret: String(b.clientSecret),
      jwt: String(b.jwt),
      extensionId: String(b.extensionId),
      accountId: String(b.accountId ?? randomId("", 5)),
      relay: b.relay === true,
      tokenTtl: typeof b.tokenTtl === "number" ? b.tokenTtl : 3600,
      refreshTtl: typeof b.refreshTtl === "number" ? b.refreshTtl : 604800,
    });
    return sendJson(res, 201, { ok: true });
  }
  const appM = /^\/__fake\/apps\/([^/]+)$/.exec(p);
  if (appM && req.method === "POST") {
    const app = state.apps.get(decodeURIComponent(appM[1]!));
    if (!app) return sendJson(res, 404, { error: "unknown app" });
    if (typeof b.tokenTtl === "number") app.tokenTtl = b.tokenTtl;
    if (typeof b.refreshTtl === "number") app.refreshTtl = b.refreshTtl;
    // Every access and refresh token of the app stops working (a revoked session): requests get 401 OAU-213.
    if (b.revokeTokens === true)
      for (const tokens of [state.tokens, state.refreshTokens])
        for (const [k, v] of tokens) if (v.clientId === app.clientId) tokens.delete(k);
    return sendJson(res, 200, { ok: true });
  }
  if (p === "/__fake/token-requests") return sendJson(res, 200, mine(state.tokenRequests));
  if (p === "/__fake/requests") return sendJson(res, 200, mine(state.requests));
  if (p === "/__fake/commands") return sendJson(res, 200, mine(state.commands));
  if (p === "/__fake/subscriptions" && req.method === "GET")
    return sendJson(
      res,
      200,
      mine(state.subscriptions.values()).map((s) => ({
        ...subscriptionJson(s, ""),
        verificationToken: s.verificationToken,
      })),
    );
  const subM = /^\/__fake\/subscriptions\/([^/]+)$/.exec(p);
  if (subM && req.method === "DELETE") return sendJson(res, state.subscriptions.delete(subM[1]!) ? 200 : 404, {});
  if (p === "/__fake/fail" && req.method === "POST") {
    state.failures.push({ ...(b as unknown as Failure), times: typeof b.times === "number" ? b.times : 1 });
    return sendJson(res, 201, { ok: true });
  }
  if (p === "/__fake/devices" && req.method === "POST") {
    state.devices.set(String(b.extensionId), b.devices as never);
    return sendJson(res, 201, { ok: true });
  }
  if (p === "/__fake/calls" && req.method === "POST") {
    const app = state.apps.get(String(b.clientId));
    if (!app) return sendJson(res, 404, { error: "unknown app" });
    const telephonySessionId = randomId("s-", 16);
    const partyId = `p-${telephonySessionId.slice(2)}-2`;
    const extensionId = b.extensionId === undefined ? app.extensionId : String(b.extensionId);
    state.sessions.set(telephonySessionId, {
      clientId: app.clientId,
      telephonySessionId,
      sequence: 0,
      parties: [
        {
          id: partyId,
          extensionId,
          direction: b.direction === "Outbound" ? "Outbound" : "Inbound",
          from: { phoneNumber: String(b.from) },
          to: { phoneNumber: String(b.to), extensionId },
          status: { code: "Setup" },
        },
      ],
    });
    return sendJson(res, 201, { telephonySessionId, partyId });
  }
  if (p === "/__fake/notify" && req.method === "POST") {
    const n = notify(state, b);
    if ("error" in n) return sendJson(res, 404, n);
    const text = JSON.stringify(n.body);
    const r = await state.deliveries.send(n.clientId, n.relay, n.url, n.headers as Record<string, string>, text);
    return sendJson(res, 200, { status: r.status, body: r.body, notification: n.body });
  }
  if (p === "/__fake/outbox/next" && req.method === "GET") {
    const d = await state.deliveries.next(clientId ?? "", Number(url.searchParams.get("timeoutMs") ?? 10_000));
    if (!d) return void res.writeHead(204).end();
    return sendJson(res, 200, d);
  }
  const outM = /^\/__fake\/outbox\/([^/]+)$/.exec(p);
  if (outM && req.method === "POST") {
    const ok = state.deliveries.answer(outM[1]!, b as never);
    return sendJson(res, ok ? 200 : 404, { ok });
  }
  sendJson(res, 404, { error: `fake ringcentral: unknown control ${req.method} ${p}` });
}
