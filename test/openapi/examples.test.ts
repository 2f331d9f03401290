import { Validator } from "@cfworker/json-schema";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_SCOPES, grantedScopes } from "../../src/auth/scopes";
import { isRef, type Example, type ExampleValue } from "../../src/routes/openapi/define";
import { openApiPath } from "../../src/routes/openapi/document";
import { OPERATIONS } from "../../src/routes/openapi/operations";
import { referenceSignature } from "../carriers/twilio/helpers";
import { BASE, repToken } from "../helpers";
import { exampleFixture, type ExampleFixture } from "./fixture";

/**
 * Every documented example (`x-examples` of /openapi.json) is sent through the Worker, with the fixture tenant's
 * ids and credentials; it must get the status it documents, and a body that the document's schema for that status
 * accepts. A route whose answer drifts from its documentation fails here.
 */

type Json = Record<string, unknown>;
interface DocOperation {
  security?: Json[];
  requestBody?: { content: Json };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
  "x-examples": Json[];
  "x-scope"?: string;
}

let fx: ExampleFixture;
let doc: { paths: Record<string, Record<string, DocOperation>>; components: { schemas: Record<string, Json> } };

beforeAll(async () => {
  fx = await exampleFixture();
  const res = await exports.default.fetch(new Request(`${BASE}/openapi.json`));
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
});

const resolve = (v: ExampleValue | undefined): unknown => {
  if (isRef(v)) {
    const value = fx.values[v.fixture];
    if (value === undefined) throw new Error(`no fixture value ${v.fixture}`);
    return value;
  }
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  return v;
};

/** The schema with the document's `#/components/schemas/…` references inlined (response schemas have no cycles). */
function inline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inline);
  if (!schema || typeof schema !== "object") return schema;
  const ref = (schema as Json).$ref;
  if (typeof ref === "string") return inline(doc.components.schemas[ref.replace("#/components/schemas/", "")]);
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v)]));
}

async function send(key: string, op: DocOperation, e: Example, token: string | null): Promise<Response> {
  const [method, honoPath] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
  const params = (resolve(e.params) ?? {}) as Record<string, string | number>;
  const path = openApiPath(honoPath).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]!));
  const query = new URLSearchParams(
    Object.entries((resolve(e.query) ?? {}) as Json).map(([k, v]) => [k, String(v)] as [string, string]),
  );
  const target = path + (query.size ? `?${query}` : "");
  const headers = new Headers(e.headers);
  const body = resolve(e.body);
  let payload: string | undefined;
  const form = op.requestBody && "application/x-www-form-urlencoded" in op.requestBody.content;
  if (body !== undefined && form) {
    const fields = Object.fromEntries(Object.entries(body as Json).map(([k, v]) => [k, String(v)] as [string, string]));
    payload = new URLSearchParams(fields).toString();
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    if (e.auth !== false)
      headers.set("X-Twilio-Signature", await referenceSignature(fx.tenant.authToken, BASE + target, fields));
  } else if (body !== undefined && !headers.has("Content-Type")) {
    payload = JSON.stringify(body);
    headers.set("Content-Type", "application/json");
  } else if (body !== undefined) payload = String(body);
  const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
  if (e.auth !== false && schemes.includes("adminBearer")) headers.set("Authorization", `Bearer ${env.ADMIN_TOKEN}`);
  if (e.auth !== false && schemes.includes("repBearer") && token) headers.set("Authorization", `Bearer ${token}`);
  return exports.default.fetch(new Request(BASE + target, { method, headers, body: payload }));
}

describe("the documented examples, sent through the Worker", () => {
  for (const [key, entry] of Object.entries(OPERATIONS)) {
    it(`${key}: each example gets its documented status and a body its schema accepts`, async () => {
      const [method, honoPath] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
      const op = doc.paths[openApiPath(honoPath)]?.[method.toLowerCase()];
      expect(op, `${key} is in /openapi.json`).toBeDefined();
      expect(op!["x-examples"].map((x) => x.name)).toEqual(entry.examples.map((x) => x.name));
      expect(entry.examples.length, `${key} has an example`).toBeGreaterThan(0);
      for (const e of entry.examples) {
        const what = `${key} example ${e.name}`;
        const res = await send(key, op!, e, fx.tenant.token);
        const text = await res.text();
        expect(res.status, `${what}: ${text.slice(0, 300)}`).toBe(e.status);
        const documented = op!.responses[String(e.status)];
        expect(documented, `${what}: status ${e.status} is documented`).toBeDefined();
        const [type, media] = Object.entries(documented!.content ?? {})[0] ?? [];
        if (!type || method === "HEAD") {
          expect(text, `${what}: documented without a body`).toBe("");
          continue;
        }
        expect(res.headers.get("Content-Type") ?? "", what).toContain(type === "text/xml" ? "xml" : type);
        if (type !== "application/json") continue;
        const result = new Validator(inline(media!.schema) as never, "2020-12", false).validate(JSON.parse(text));
        expect(
          result.errors.map((x) => `${x.instanceLocation} ${x.error}`),
          `${what}: ${text.slice(0, 300)}`,
        ).toEqual([]);
      }
    });
  }

  it("each operation with a security scheme refuses a request without its credential", async () => {
    for (const [key, entry] of Object.entries(OPERATIONS)) {
      const [method, honoPath] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
      const op = doc.paths[openApiPath(honoPath)]![method.toLowerCase()]!;
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      const expected = schemes.some((s) => s.endsWith("Bearer")) ? 401 : schemes.length ? 403 : null;
      if (expected === null) continue;
      const res = await send(key, op, { ...entry.examples[0]!, auth: false }, null);
      expect(res.status, key).toBe(expected);
    }
  });

  it("each scoped rep operation refuses a token without its documented scope", async () => {
    for (const [key, entry] of Object.entries(OPERATIONS)) {
      const scope = entry.scope;
      if (!scope) continue;
      const [method, honoPath] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
      const op = doc.paths[openApiPath(honoPath)]![method.toLowerCase()]!;
      expect(op["x-scope"]).toBe(entry.scope);
      const others = ALL_SCOPES.filter((s) => !grantedScopes(s).has(scope));
      const token = await repToken(fx.tenant.repId, { scope: others.join(" ") });
      const res = await send(key, op, entry.examples[0]!, token);
      expect(res.status, key).toBe(403);
      expect(await res.json(), key).toEqual({ error: `Missing scope: ${entry.scope}` });
    }
  });
});
