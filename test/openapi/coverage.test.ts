import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { validatedInput } from "../../src/lib/validate";
import { buildDocument, mountedEndpoints, openApiPath, type MountedRoute } from "../../src/routes/openapi/document";
import { OPERATIONS } from "../../src/routes/openapi/operations";
import { BASE } from "../helpers";

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
}
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Json & { parameters?: Param[]; security: Json[] }>>;
};

/** `METHOD /hono/:path` of every operation the document has. */
const documented = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));

/** The mounted endpoints the document lacks, in its own path form. */
const undocumented = (routes: readonly MountedRoute[], doc: Doc) => {
  const have = new Set(documented(doc));
  return [...mountedEndpoints(routes).keys()].filter((k) => {
    const [method, path] = k.split(" ") as [string, string];
    return !have.has(`${method} ${openApiPath(path)}`);
  });
};

async function served(): Promise<Doc> {
  const res = await exports.default.fetch(new Request(`${BASE}/openapi.json`));
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toContain("application/json");
  return (await res.json()) as Doc;
}

describe("GET /openapi.json", () => {
  it("documents every route mounted in src/app.ts, and nothing else", async () => {
    const doc = await served();
    expect(doc.openapi).toBe("3.1.0");
    const routes = createApp().routes;
    expect(undocumented(routes, doc)).toEqual([]);
    const mounted = new Set(
      [...mountedEndpoints(routes).keys()].map((k) => k.replace(/ .*/, (p) => ` ${openApiPath(p.slice(1))}`)),
    );
    expect(documented(doc).filter((k) => !mounted.has(k))).toEqual([]);
    expect(Object.keys(OPERATIONS).filter((k) => !mountedEndpoints(routes).has(k))).toEqual([]);
  });

  it("reports a newly mounted route that has no entry (as a carrier's webhook would be before its entry)", () => {
    const routes: MountedRoute[] = [
      ...createApp().routes,
      { method: "POST", path: "/api/webhooks/plivo/voice", handler: () => new Response(null) },
    ];
    const doc = buildDocument(routes, OPERATIONS, BASE) as unknown as Doc;
    expect(undocumented(routes, doc)).toEqual(["POST /api/webhooks/plivo/voice"]);
  });

  it("documents each route's own request schemas: every validated path, query and body field", async () => {
    const doc = await served();
    for (const r of createApp().routes) {
      const input = validatedInput(r.handler);
      if (!input || r.method === "ALL") continue;
      const op = doc.paths[openApiPath(r.path)]![r.method.toLowerCase()]!;
      const where = `${r.method} ${r.path} (${input.target})`;
      if (input.target === "json") {
        const body = op.requestBody as { content: Record<string, { schema: Json }> };
        expect(Object.keys(body.content), where).toEqual(["application/json"]);
        continue;
      }
      const location = { param: "path", query: "query", header: "header" }[input.target as string];
      expect(location, where).toBeDefined();
      const shape = (input.schema as unknown as { shape: Record<string, unknown> }).shape;
      const names = (op.parameters ?? []).filter((p) => p.in === location).map((p) => p.name);
      // a path's other parameters (a `{a|b}` pattern) are declared from the template
      if (input.target === "param") expect(names, where).toEqual(expect.arrayContaining(Object.keys(shape)));
      else expect(names.sort(), where).toEqual(Object.keys(shape).sort());
    }
  });

  it("declares every path template parameter, and each operation's security", async () => {
    const doc = await served();
    for (const [path, item] of Object.entries(doc.paths)) {
      const template = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual([...template].sort());
        const schemes = op.security.flatMap((s) => Object.keys(s));
        if (path.startsWith("/api/admin/")) expect(schemes, path).toEqual(["adminBearer"]);
        if (
          /^\/(twiml|api\/TwilioCalls\/(voice|statuscallback|legstatus|amdcallback|\{repID\}\/recordingcallback)$)/.test(
            path,
          )
        )
          expect(schemes, path).toEqual(["twilioSignature"]);
      }
    }
  });
});

describe("GET /docs", () => {
  it("is a page whose scripts and styles all come from this origin", async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/docs`));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(res.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    const html = await res.text();
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toContain("/reference/swagger-ui-bundle.js");
    expect(urls.filter((u) => !u.startsWith("/") && !u.startsWith("data:"))).toEqual([]);
  });
});
