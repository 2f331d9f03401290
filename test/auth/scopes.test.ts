import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ALL_SCOPES, grantedScopes, type Scope } from "../../src/auth/scopes";
import { RECORDING_DOWNLOAD_PATH } from "../../src/recordings/signed-url";
import { api, json, provisionTenant, repToken, type Tenant } from "../helpers";

interface Case {
  method: "GET" | "POST" | "DELETE";
  /** The route as mounted (Hono's pattern), for the coverage check. */
  route: string;
  scope: Scope;
  path: (t: Tenant) => string;
  json?: unknown;
}

const call = "vc_000000000000000000000000";

/** The scope table of README "Scopes", one row per rep route. */
const CASES: Case[] = [
  { method: "GET", route: "/api/tickets", scope: "tickets:read", path: () => "/api/tickets" },
  {
    method: "POST",
    route: "/api/tickets",
    scope: "tickets:write",
    path: () => "/api/tickets",
    json: { channel: "web", subject: "s" },
  },
  { method: "GET", route: "/api/tickets/:id", scope: "tickets:read", path: () => "/api/tickets/999999" },
  {
    method: "POST",
    route: "/api/tickets/:id/messages",
    scope: "tickets:write",
    path: () => "/api/tickets/999999/messages",
    json: { senderType: "CustomerRep", text: "x" },
  },
  {
    method: "GET",
    route: "/api/tickets/:id/recording",
    scope: "audio:download",
    path: () => "/api/tickets/999999/recording",
  },
  { method: "POST", route: "/api/AudioChunks/upload", scope: "audio:upload", path: () => "/api/AudioChunks/upload" },
  {
    method: "POST",
    route: "/api/AudioChunks/uploadAndFinalize",
    scope: "audio:upload",
    path: () => "/api/AudioChunks/uploadAndFinalize",
  },
  { method: "GET", route: "/api/v1/voice-calls", scope: "voice:read", path: () => "/api/v1/voice-calls" },
  { method: "GET", route: "/api/v1/voice-calls/:id", scope: "voice:read", path: () => `/api/v1/voice-calls/${call}` },
  {
    method: "GET",
    route: "/api/v1/voice-calls/:id/recording-url",
    scope: "audio:download",
    path: () => `/api/v1/voice-calls/${call}/recording-url`,
  },
  {
    method: "GET",
    route: "/api/v1/voice-calls/:id/epa-results",
    scope: "voice:read",
    path: () => `/api/v1/voice-calls/${call}/epa-results`,
  },
  { method: "DELETE", route: "/api/tickets/:id", scope: "tickets:write", path: () => "/api/tickets/999999" },
  {
    method: "DELETE",
    route: "/api/tickets/:id/recording",
    scope: "tickets:write",
    path: () => "/api/tickets/999999/recording",
  },
  { method: "POST", route: "/api/v1/voice-calls", scope: "calls:write", path: () => "/api/v1/voice-calls", json: {} },
  {
    method: "DELETE",
    route: "/api/v1/voice-calls/:id",
    scope: "voice:delete",
    path: () => `/api/v1/voice-calls/${call}`,
  },
  {
    method: "DELETE",
    route: "/api/v1/voice-calls/:id/recording",
    scope: "voice:delete",
    path: () => `/api/v1/voice-calls/${call}/recording`,
  },
  { method: "GET", route: "/api/v1/campaigns", scope: "voice:read", path: () => "/api/v1/campaigns" },
  { method: "GET", route: "/api/v1/campaigns/:id", scope: "voice:read", path: () => "/api/v1/campaigns/999999" },
  {
    method: "GET",
    route: "/api/v1/campaigns/:id/contacts",
    scope: "voice:read",
    path: () => "/api/v1/campaigns/999999/contacts",
  },
  {
    method: "POST",
    route: "/api/v1/campaigns/:id/contacts",
    scope: "campaigns:write",
    path: () => "/api/v1/campaigns/999999/contacts",
    json: [],
  },
  {
    method: "POST",
    route: "/api/v1/campaigns/:id/:action{start|pause|resume}",
    scope: "campaigns:write",
    path: () => "/api/v1/campaigns/999999/start",
  },
];

/** Routes that take no rep token: the admin API, phone login, signed carrier webhooks, signed recording URLs. */
const NOT_REP_ROUTES = [
  /^\/api\/admin\//,
  /^\/api\/Auth\//,
  /^\/api\/TwilioCalls\/(voice|statuscallback|amdcallback|legstatus|:repID\/recordingcallback)$/,
  /^\/api\/webhooks\/telnyx\//,
  new RegExp(`^${RECORDING_DOWNLOAD_PATH}`),
  /^\/api\/webhooks\/ringcentral\/:customerId$/,
];
/**
 * Rep routes without a scope: a token may always learn who it is and which scopes it carries; SPEC.md's call-data
 * table asks for "rep" (no scope) on analytics, recording metadata and conversations; and SPEC.md's sections A and
 * B, with seed 000, ask only for "a representative JWT" on the calling routes, realtime and transcription.
 */
const UNSCOPED = [
  "GET /api/me",
  "GET /api/TwilioCalls/voice-token",
  "POST /api/TwilioCalls/initiate-call",
  "GET /api/TwilioCalls/call-status",
  "POST /api/realtime/calls",
  "POST /api/Transcriptions/file",
  "GET /api/voice/analytics/overview",
  "GET /api/voice/analytics/detailed",
  "GET /api/voice/analytics/timeline",
  "GET /api/voice/recordings/:conversationId",
  "GET /api/conversations",
  "GET /api/conversations/:id/messages",
];

const send = (c: Case, t: Tenant, token: string) =>
  api(c.path(t), { method: c.method, token, ...(c.json !== undefined ? { json: c.json } : {}) });

describe("scopes on rep routes", () => {
  it("lists every rep route of the app in the scope table", () => {
    const listed = new Set([...CASES.map((c) => `${c.method} ${c.route}`), ...UNSCOPED]);
    const repRoutes = createApp()
      .routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/"))
      .filter((r) => !NOT_REP_ROUTES.some((re) => re.test(r.path)))
      .map((r) => `${r.method} ${r.path.replace(/\/$/, "")}`);
    expect([...new Set(repRoutes)].sort()).toEqual([...listed].sort());
    expect([...new Set(CASES.map((c) => c.scope))].sort()).toEqual([...ALL_SCOPES].sort());
  });

  it("refuses each route without its scope (403 naming it) and lets it through with that scope alone", async () => {
    const t = await provisionTenant();
    for (const c of CASES) {
      const others = ALL_SCOPES.filter((s) => !grantedScopes(s).has(c.scope));
      const without = await repToken(t.repId, { scope: others.join(" ") });
      const refused = await send(c, t, without);
      expect(refused.status, `${c.method} ${c.route} without ${c.scope}`).toBe(403);
      expect(await json(refused)).toEqual({ error: `Missing scope: ${c.scope}` });
      const only = await send(c, t, await repToken(t.repId, { scope: c.scope }));
      expect([401, 403], `${c.method} ${c.route} with ${c.scope}`).not.toContain(only.status);
    }
  });

  it("lets tickets:write (SPEC.md's rep with ticket access) read tickets, upload audio, place AI calls and delete calls, nothing more", async () => {
    const t = await provisionTenant();
    const token = await repToken(t.repId, { scope: "tickets:write" });
    const included = ["tickets:write", "tickets:read", "audio:upload", "calls:write", "voice:delete"];
    for (const c of CASES) {
      const res = await send(c, t, token);
      if (included.includes(c.scope)) expect([401, 403], `${c.method} ${c.route}`).not.toContain(res.status);
      else expect(res.status, `${c.method} ${c.route}`).toBe(403);
    }
    const me = await json<{ scopes: string[] }>(await api("/api/me", { token }));
    expect(me.scopes.sort()).toEqual([...included].sort());
  });

  it("lets a token with SPEC.md's three scopes use every route SPEC.md lists", async () => {
    const t = await provisionTenant();
    const token = await repToken(t.repId, { scope: "voice:read audio:download tickets:write" });
    const spec = CASES.filter((c) => c.scope !== "campaigns:write" && !c.route.includes("campaigns"));
    expect(spec.length).toBe(16);
    for (const c of spec) expect([401, 403], `${c.method} ${c.route}`).not.toContain((await send(c, t, token)).status);
  });

  it("answers /api/me to a token with no scope at all", async () => {
    const t = await provisionTenant();
    const res = await api("/api/me", { token: await repToken(t.repId, { scope: "" }) });
    expect(res.status).toBe(200);
    expect((await json<{ scopes: string[] }>(res)).scopes).toEqual([]);
  });

  it("lets a token with no scope at all use the call-data routes SPEC.md marks 'rep'", async () => {
    const t = await provisionTenant();
    const token = await repToken(t.repId, { scope: "" });
    for (const p of ["overview", "detailed", "timeline"])
      expect((await api(`/api/voice/analytics/${p}`, { token })).status, p).toBe(200);
    expect((await api("/api/conversations?channel=voice", { token })).status).toBe(200);
    expect((await api(`/api/conversations/${call}/messages`, { token })).status).toBe(404);
    expect((await api(`/api/voice/recordings/${call}`, { token })).status).toBe(404);
  });

  it("lets a token with no scope at all use the calling, realtime and transcription routes (seed 000: a representative JWT)", async () => {
    const t = await provisionTenant();
    const token = await repToken(t.repId, { scope: "" });
    expect((await api("/api/TwilioCalls/voice-token", { token })).status).toBe(200);
    const refusedForInput = [
      await api("/api/TwilioCalls/initiate-call", { method: "POST", token, json: {} }),
      await api("/api/TwilioCalls/call-status", { token }),
      await api("/api/realtime/calls", { method: "POST", token }),
      await api("/api/Transcriptions/file", { method: "POST", token }),
    ];
    for (const res of refusedForInput) {
      expect(res.status, res.url).toBeGreaterThanOrEqual(400);
      expect([401, 403], res.url).not.toContain(res.status);
      expect(res.status, res.url).toBeLessThan(500);
    }
  });

  it("counts ticket recording downloads against the tenant's recordings budget", async () => {
    const t = await provisionTenant();
    const res = await api("/api/tickets/999999/recording", { token: t.token });
    expect(res.status).toBe(404);
    expect(res.headers.get("X-RateLimit-Limit")).toBe("30");
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("29");
  });
});
