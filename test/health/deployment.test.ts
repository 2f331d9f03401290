import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { Env } from "../../src/env";
import { healthReport } from "../../src/health/report";
import { api, BASE } from "../helpers";
import { failing, health, line } from "./helpers";

const DEPLOYMENT_CHECKS = [
  "binding.DB",
  "binding.RECORDINGS",
  "binding.CALLS",
  "binding.TICKET_RECORDERS",
  "binding.RATE_LIMITER",
  "binding.CAMPAIGNS",
  "binding.RINGCENTRAL_AUTH",
  "binding.RINGCENTRAL_SESSIONS",
  "binding.POST_CALL",
  "d1.query",
  "d1.migrations",
  "r2.head",
  "secret.ADMIN_TOKEN",
  "secret.ENCRYPTION_KEY",
  "secret.JWT",
  "config.PUBLIC_BASE_URL",
];

/** The report with one thing changed: exactly the named checks fail, each with a fix. */
async function onlyFailing(patch: Parameters<typeof health>[1], names: string[], origin?: string) {
  const r = await health("", patch, origin);
  expect(r.status).toBe(503);
  expect(r.body.ok).toBe(false);
  expect(failing(r.body).map((c) => c.name)).toEqual(names);
  for (const c of failing(r.body)) expect(c.fix, c.name).toMatch(/\w/);
  return r.body;
}

describe("GET /api/admin/health: the deployment", () => {
  it("answers 200 with one passing line per check when everything is in place", async () => {
    const r = await health();
    expect(r.status).toBe(200);
    expect(r.headers.get("Cache-Control")).toBe("no-store");
    expect(r.body.ok).toBe(true);
    expect(r.body.checks.map((c) => c.name)).toEqual(DEPLOYMENT_CHECKS);
    expect(failing(r.body)).toEqual([]);
    for (const c of r.body.checks) expect(Object.keys(c).sort()).toEqual(["detail", "name", "ok"]);
    expect(line(r.body, "d1.migrations")?.detail).toMatch(/^all \d+ applied \(last \d{4}_\w+\.sql\)$/);
    expect(Date.parse(r.body.checkedAt)).not.toBeNaN();
  });

  it("never shows a secret", async () => {
    const r = await health();
    for (const secret of [env.ENCRYPTION_KEY, env.JWT_SECRET ?? "", env.ADMIN_TOKEN])
      expect(r.text).not.toContain(secret);
  });

  it("is for the admin only; the public /health stays shallow", async () => {
    expect((await api("/api/admin/health")).status).toBe(401);
    expect((await api("/api/admin/health", { token: "nope" })).status).toBe(401);
    const shallow = await api("/health");
    expect(shallow.status).toBe(200);
    expect(await shallow.json()).toEqual({ ok: true });
  });

  it("names what is wrong with the query", async () => {
    for (const q of ["?customerId=abc", "?customerId=0", "?tenants=some", "?customerId=1&tenants=all", "?offset=20"]) {
      const r = await health(q);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toMatch(/Invalid query/);
    }
    const missing = await health("?customerId=999999");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe("Customer 999999 not found");
  });

  it("a Durable Object binding missing", async () => {
    const r = await onlyFailing({ CALLS: undefined }, ["binding.CALLS"]);
    expect(line(r, "binding.CALLS")).toMatchObject({
      detail: "CALLS is not bound",
      fix: expect.stringMatching(/durable_objects/),
    });
  });

  it("the recordings bucket bound to something else: the binding and the HEAD fail", async () => {
    const r = await onlyFailing({ RECORDINGS: env.DB }, ["binding.RECORDINGS", "r2.head"]);
    expect(line(r, "binding.RECORDINGS")?.detail).toBe("RECORDINGS is bound but is not an R2 bucket");
    expect(line(r, "r2.head")?.detail).toMatch(/^the check could not run: /);
  });

  it("the database missing: the binding, the query and the migrations fail", async () => {
    const r = await onlyFailing({ DB: undefined }, ["binding.DB", "d1.query", "d1.migrations"]);
    expect(line(r, "binding.DB")?.detail).toBe("DB is not bound");
    expect(line(r, "d1.query")?.fix).toMatch(/database_id/);
  });

  it("an admin token too short to resist guessing, or none (then nobody reaches the route: the report itself says so)", async () => {
    const r = await onlyFailing({ ADMIN_TOKEN: "short-admin-token" }, ["secret.ADMIN_TOKEN"]);
    expect(line(r, "secret.ADMIN_TOKEN")?.detail).toBe("17 characters, fewer than 32");
    const unset = await healthReport({ ...env, ADMIN_TOKEN: undefined } as unknown as Env, BASE, null);
    expect(failing(unset).map((c) => c.name)).toEqual(["secret.ADMIN_TOKEN"]);
    expect(line(unset, "secret.ADMIN_TOKEN")?.detail).toBe("not set: the admin API answers 401 to everyone");
  });

  it("an ENCRYPTION_KEY that is not base64, or too short, or missing", async () => {
    for (const [key, detail] of [
      ["not base64!", "not canonical base64"],
      [btoa("sixteen bytes!!!"), "base64 of 16 bytes, fewer than 32"],
      [undefined, "not set: tenant secrets can be neither stored nor read"],
    ] as const) {
      const r = await onlyFailing({ ENCRYPTION_KEY: key }, ["secret.ENCRYPTION_KEY"]);
      expect(line(r, "secret.ENCRYPTION_KEY")?.detail).toBe(detail);
      expect(line(r, "secret.ENCRYPTION_KEY")?.fix).toMatch(/openssl rand -base64 32/);
    }
  });

  it("rep tokens: a short JWT_SECRET, or no way to verify them at all", async () => {
    const short = await onlyFailing({ JWT_SECRET: "too-short" }, ["secret.JWT"]);
    expect(line(short, "secret.JWT")?.detail).toBe("JWT_SECRET is 9 bytes, fewer than 32");
    const none = await onlyFailing({ JWT_SECRET: undefined }, ["secret.JWT"]);
    expect(line(none, "secret.JWT")?.detail).toMatch(/neither JWT_SECRET nor JWT_JWKS_URL/);
  });

  it("rep tokens from a JWKS: reachable with keys passes, anything else fails", async () => {
    const idp = inject("idpUrl");
    const ok = await health("", { JWT_JWKS_URL: `${idp}/.well-known/jwks.json` });
    expect(ok.status).toBe(200);
    expect(line(ok.body, "secret.JWT")?.detail).toBe(
      `JWT_JWKS_URL (${new URL(idp).host}) answered 2 keys (RS256/ES256 rep tokens); JWT_SECRET is set too and ignored`,
    );
    const noKeys = await onlyFailing({ JWT_JWKS_URL: `${idp}/nothing-here` }, ["secret.JWT"]);
    expect(line(noKeys, "secret.JWT")?.detail).toMatch(/answered 404 without a "keys" list$/);
    const closed = await onlyFailing({ JWT_JWKS_URL: "http://127.0.0.1:1/jwks.json" }, ["secret.JWT"]);
    expect(line(closed, "secret.JWT")?.detail).toMatch(/^JWT_JWKS_URL \(127\.0\.0\.1:1\) unreachable: /);
  });

  it("PUBLIC_BASE_URL: http, a path, or unset behind plain http fail; unset behind https passes", async () => {
    const http = await onlyFailing({ PUBLIC_BASE_URL: "http://voicedesk.example.com" }, ["config.PUBLIC_BASE_URL"]);
    expect(line(http, "config.PUBLIC_BASE_URL")?.detail).toBe("http://voicedesk.example.com is not https");
    const path = await onlyFailing({ PUBLIC_BASE_URL: "https://voicedesk.example.com/api" }, [
      "config.PUBLIC_BASE_URL",
    ]);
    expect(line(path, "config.PUBLIC_BASE_URL")?.detail).toMatch(/has a path or query/);
    const unsetHttp = await onlyFailing(
      { PUBLIC_BASE_URL: undefined },
      ["config.PUBLIC_BASE_URL"],
      "http://127.0.0.1:8792",
    );
    expect(line(unsetHttp, "config.PUBLIC_BASE_URL")?.detail).toBe(
      "unset, and this request came over http (http://127.0.0.1:8792)",
    );
    const unsetHttps = await health("", { PUBLIC_BASE_URL: undefined });
    expect(unsetHttps.status).toBe(200);
    expect(line(unsetHttps.body, "config.PUBLIC_BASE_URL")?.detail).toMatch(
      /^unset: each request's own origin is used/,
    );
  });
});
