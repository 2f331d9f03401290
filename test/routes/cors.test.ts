import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { parseCorsOrigins } from "../../src/lib/cors";
import { BASE, json, provisionTenant } from "../helpers";

const CONSOLE = "https://console.example.com";
const OTHER = "https://evil.example.net";
const app = createApp();

/** The production app with `CORS_ORIGINS` set as a deployment would set it (undefined: not configured). */
function call(path: string, init: RequestInit, corsOrigins: string | undefined): Promise<Response> {
  return Promise.resolve(app.request(BASE + path, init, { ...env, CORS_ORIGINS: corsOrigins }));
}

const preflight = (path: string, origin: string, corsOrigins: string | undefined, method = "GET") =>
  call(
    path,
    {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    },
    corsOrigins,
  );

const corsHeaders = (res: Response) =>
  [...res.headers.keys()].filter((k) => k.startsWith("access-control-")).sort((a, b) => a.localeCompare(b));

describe("CORS for the rep API", () => {
  it("echoes a listed origin with credentials on a rep call, and exposes the headers a page needs", async () => {
    const t = await provisionTenant();
    const res = await call(
      "/api/me",
      { headers: { Origin: CONSOLE, Authorization: `Bearer ${t.token}` } },
      ` https://other.example.org, ${CONSOLE}/ `,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Vary")).toMatch(/\bOrigin\b/);
    const exposed = (res.headers.get("Access-Control-Expose-Headers") ?? "").split(",");
    expect(exposed).toEqual(expect.arrayContaining(["X-RateLimit-Remaining", "Retry-After", "ETag", "Content-Range"]));
    expect(((await json(res)) as { rep?: unknown }).rep).toBeDefined();
  });

  it("lets the page read an error answer too (401 without a token)", async () => {
    const res = await call("/api/v1/voice-calls", { headers: { Origin: CONSOLE } }, CONSOLE);
    expect(res.status).toBe(401);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
  });

  it("answers a preflight from a listed origin without needing a token", async () => {
    const res = await preflight("/api/realtime/calls", CONSOLE, CONSOLE, "POST");
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Access-Control-Allow-Methods")?.split(",")).toEqual(
      expect.arrayContaining(["GET", "POST", "PATCH", "DELETE"]),
    );
    expect(res.headers.get("Access-Control-Allow-Headers")?.split(",")).toEqual(
      expect.arrayContaining(["Authorization", "Content-Type", "Range"]),
    );
    expect(res.headers.get("Access-Control-Max-Age")).toBe("600");
    // The rep routes that share the Twilio prefix with the webhooks are open too.
    const token = await preflight("/api/TwilioCalls/voice-token", CONSOLE, CONSOLE);
    expect(token.status).toBe(204);
    expect(token.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
  });

  it("gives an unknown origin no CORS header, and refuses its preflight", async () => {
    const t = await provisionTenant();
    const res = await call("/api/me", { headers: { Origin: OTHER, Authorization: `Bearer ${t.token}` } }, CONSOLE);
    expect(res.status).toBe(200); // the server answers; the browser keeps it from the page
    expect(corsHeaders(res)).toEqual([]);
    const pre = await preflight("/api/me", OTHER, CONSOLE);
    expect(pre.status).toBe(403);
    expect(corsHeaders(pre)).toEqual([]);
    expect((await json(pre)).error).toMatch(/not allowed/);
    // An origin is matched whole: another scheme, port or a suffix is another origin.
    for (const look of [
      "http://console.example.com",
      `${CONSOLE}:8443`,
      "https://console.example.com.evil.net",
      "null",
    ]) {
      expect(corsHeaders(await preflight("/api/me", look, CONSOLE)), look).toEqual([]);
    }
  });

  it("opens nothing when CORS_ORIGINS is not configured", async () => {
    for (const configured of [undefined, "", " , "]) {
      const pre = await preflight("/api/v1/voice-calls", CONSOLE, configured);
      expect(pre.status).toBe(403);
      expect(corsHeaders(pre)).toEqual([]);
      const res = await call("/api/v1/voice-calls", { headers: { Origin: CONSOLE } }, configured);
      expect(res.status).toBe(401);
      expect(corsHeaders(res)).toEqual([]);
    }
  });

  it("never opens the admin API, even to a listed origin with the admin token", async () => {
    const res = await call(
      "/api/admin/customers",
      { headers: { Origin: CONSOLE, Authorization: `Bearer ${env.ADMIN_TOKEN}` } },
      `${CONSOLE},*`,
    );
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
    const pre = await preflight("/api/admin/customers", CONSOLE, `${CONSOLE},*`, "POST");
    expect(pre.status).toBeGreaterThanOrEqual(400);
    expect(corsHeaders(pre)).toEqual([]);
  });

  it("never opens the anonymous webhooks", async () => {
    const paths = [
      "/api/TwilioCalls/voice",
      "/api/TwilioCalls/statuscallback",
      "/api/TwilioCalls/42/recordingcallback",
      "/api/webhooks/telnyx/voice",
      "/api/webhooks/ringcentral/1",
      "/twiml",
      "/streams/CA00000000000000000000000000000000",
    ];
    for (const path of paths) {
      const pre = await preflight(path, CONSOLE, `${CONSOLE},*`, "POST");
      expect(pre.status, path).toBeGreaterThanOrEqual(400);
      expect(corsHeaders(pre), path).toEqual([]);
      const post = await call(
        path,
        { method: "POST", headers: { Origin: CONSOLE, "Content-Type": "application/x-www-form-urlencoded" }, body: "" },
        `${CONSOLE},*`,
      );
      expect(corsHeaders(post), path).toEqual([]);
    }
  });

  it("answers `*` without credentials, and still echoes a listed origin with them", async () => {
    const any = await preflight("/api/me", OTHER, `*,${CONSOLE}`);
    expect(any.status).toBe(204);
    expect(any.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(any.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(any.headers.get("Vary")).toMatch(/\bOrigin\b/);
    const listed = await preflight("/api/me", CONSOLE, `*,${CONSOLE}`);
    expect(listed.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
    expect(listed.headers.get("Access-Control-Allow-Credentials")).toBe("true");
  });

  it("leaves same-origin requests (no Origin header) alone", async () => {
    const res = await call("/api/v1/voice-calls", {}, `${CONSOLE},*`);
    expect(res.status).toBe(401);
    expect(corsHeaders(res)).toEqual([]);
  });
});

describe("CORS_ORIGINS parsing", () => {
  it("keeps bare http(s) origins in browser form and ignores everything else", () => {
    const p = parseCorsOrigins(
      "https://Console.Example.com/, http://localhost:5173,https://a.example.com:443, https://x.example.com/path, ftp://f.example.com, null, example.com, https://q.example.com/?a=1",
    );
    expect([...p.origins].sort((a, b) => a.localeCompare(b))).toEqual([
      "http://localhost:5173",
      "https://a.example.com",
      "https://console.example.com",
    ]);
    expect(p.anyOrigin).toBe(false);
    expect(parseCorsOrigins(undefined)).toEqual({ anyOrigin: false, origins: new Set() });
    expect(parseCorsOrigins(" * ").anyOrigin).toBe(true);
  });
});
