import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { admin, api, json, provisionTenant } from "./helpers";

describe("error handling", () => {
  it("answers an unknown route with 404 JSON", async () => {
    const res = await api("/api/nope");
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: "No route for GET /api/nope" });
  });

  it("answers malformed JSON with 400 JSON", async () => {
    const t = await provisionTenant();
    const res = await api("/api/tickets", {
      method: "POST",
      token: t.token,
      headers: { "Content-Type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatch(/Malformed JSON/);
  });

  it("names every invalid field", async () => {
    const t = await provisionTenant();
    const res = await api("/api/tickets", { method: "POST", token: t.token, json: { channel: "fax", subject: "" } });
    expect(res.status).toBe(400);
    const body = await json<{ error: string; issues: { path: string; message: string }[] }>(res);
    expect(body.issues.map((i) => i.path).sort()).toEqual(["channel", "subject"]);
    expect(body.error).toMatch(/channel/);
  });

  it("hides the internals of an unexpected error behind a generic 500", async () => {
    const app = createApp();
    app.get("/boom", () => {
      throw new Error("db password is hunter2");
    });
    const res = await app.request("/boom", {}, env);
    expect(res.status).toBe(500);
    const body = await json(res);
    expect(body.error).toBe("Internal server error");
    expect(JSON.stringify(body)).not.toContain("hunter2");
    // The request id goes in a header, so the body is exactly the documented `{error}` (docs/architecture.md).
    expect(res.headers.get("X-Request-Id")).toMatch(/./);
  });

  it("serves a health check", async () => {
    expect(await json(await api("/health"))).toEqual({ ok: true });
  });

  it("refuses the admin API without the admin token", async () => {
    expect((await api("/api/admin/customers")).status).toBe(401);
    expect((await api("/api/admin/customers", { token: "wrong" })).status).toBe(401);
    expect((await admin("/customers")).status).toBe(200);
  });
});
