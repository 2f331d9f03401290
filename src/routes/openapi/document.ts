import type { ZodType } from "zod";
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiParameterObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from "zod-openapi";
import { scopesGranting, type Scope } from "../../auth/scopes";
import { validatedInput, type ValidatedInput } from "../../lib/validate";
import { isRef, type Example, type ExampleValue, type Operation, type Operations, type Security } from "./define";

/** A route as Hono lists it in `app.routes`: one row per handler, middleware included. */
export interface MountedRoute {
  method: string;
  path: string;
  handler: unknown;
}

/** The app's endpoints, `METHOD path` → what their `validate(…)` middleware check (`use` middleware is `ALL`). */
export function mountedEndpoints(routes: readonly MountedRoute[]): Map<string, ValidatedInput[]> {
  const endpoints = new Map<string, ValidatedInput[]>();
  for (const r of routes) {
    if (r.method === "ALL") continue;
    const key = `${r.method} ${r.path}`;
    const inputs = endpoints.get(key) ?? [];
    const input = validatedInput(r.handler);
    if (input) inputs.push(input);
    endpoints.set(key, inputs);
  }
  return endpoints;
}

const PARAM = /:([A-Za-z0-9_]+)(?:\{([^}]*)\})?/g;

/** `/api/v1/campaigns/:id/:action{start|pause|resume}` → `/api/v1/campaigns/{id}/{action}`. */
export const openApiPath = (honoPath: string) => honoPath.replace(PARAM, "{$1}");

/** Path parameters no `validate("param", …)` describes: a string, or the words of a `{a|b}` pattern. */
function plainPathParams(honoPath: string, described: ZodType | undefined): ZodOpenApiParameterObject[] {
  const shape = described && "shape" in described ? (described.shape as Record<string, unknown>) : {};
  return [...honoPath.matchAll(PARAM)]
    .filter(([, name]) => !(name! in shape))
    .map(([, name, pattern]) => {
      const words = pattern && /^[A-Za-z0-9_|-]+$/.test(pattern) ? pattern.split("|") : null;
      return {
        name: name!,
        in: "path",
        required: true,
        schema: words ? { type: "string", enum: words } : { type: "string" },
      };
    });
}

/** An example as the document shows it: fixture references become their sample values. */
export function shownValue(v: ExampleValue | undefined): unknown {
  if (isRef(v)) return v.example;
  if (Array.isArray(v)) return v.map(shownValue);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shownValue(x)]));
  return v;
}

const shownExample = (e: Example) => ({
  name: e.name,
  status: e.status,
  ...(e.auth === false ? { auth: false } : {}),
  ...(e.params ? { params: shownValue(e.params) } : {}),
  ...(e.query ? { query: shownValue(e.query) } : {}),
  ...(e.body !== undefined ? { body: shownValue(e.body) } : {}),
  ...(e.headers ? { headers: e.headers } : {}),
});

const SCHEMES: Record<Exclude<Security, "none">, Record<string, string>> = {
  adminBearer: { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret (provisioning only)." },
  repBearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A rep JWT (`npm run token`)." },
  phoneBearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A phone-auth token from POST /api/Auth/phone-login.",
  },
  twilioSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Twilio-Signature",
    description: "Twilio's HMAC-SHA1 of the URL and form fields with the tenant's auth token.",
  },
  telnyxSignature: {
    type: "apiKey",
    in: "header",
    name: "telnyx-signature-ed25519",
    description: "Telnyx's Ed25519 signature of `{telnyx-timestamp}|{raw body}`, checked with the tenant's public key.",
  },
  signedUrl: { type: "apiKey", in: "query", name: "sig", description: "The signature of a signed URL (with exp)." },
};

function securityOf(op: Operation) {
  const list = Array.isArray(op.security) ? op.security : [op.security];
  return list.filter((s) => s !== "none").map((s) => ({ [s]: [] }));
}

function responsesOf(op: Operation): ZodOpenApiResponsesObject {
  return Object.fromEntries(
    Object.entries(op.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...(r.schema ? { content: { [r.contentType ?? "application/json"]: { schema: r.schema } } } : {}),
      },
    ]),
  );
}

function requestBodyOf(op: Operation, inputs: ValidatedInput[]) {
  const json = inputs.find((i) => i.target === "json")?.schema ?? op.request?.json;
  const form = inputs.find((i) => i.target === "form")?.schema ?? op.request?.form;
  const withBody = op.examples.filter((e) => e.body !== undefined);
  const examples = withBody.length
    ? { examples: Object.fromEntries(withBody.map((e) => [e.name, { value: shownValue(e.body) }])) }
    : {};
  if (json) return { required: true, content: { "application/json": { schema: json, ...examples } } };
  if (form) return { required: true, content: { "application/x-www-form-urlencoded": { schema: form, ...examples } } };
  if (op.request?.multipart)
    return { required: true, content: { "multipart/form-data": { schema: op.request.multipart } } };
  const raw = op.request?.body;
  if (raw?.schema)
    return {
      required: true,
      description: raw.description,
      content: { [raw.contentType ?? "application/json"]: { schema: raw.schema, ...examples } },
    };
  return undefined;
}

function scopeSentence(scope: Scope): string {
  const broader = scopesGranting(scope).filter((s) => s !== scope);
  const or = broader.length ? ` (or ${broader.map((s) => `\`${s}\``).join(", ")}, which includes it)` : "";
  return `Requires the rep scope \`${scope}\`${or}.`;
}

function operationOf(key: string, op: Operation, inputs: ValidatedInput[]): ZodOpenApiOperationObject {
  const path = key.slice(key.indexOf(" ") + 1);
  const of = (target: string) => inputs.find((i) => i.target === target)?.schema;
  const params = of("param");
  const query = of("query") ?? op.request?.query;
  const header = of("header");
  const requestBody = requestBodyOf(op, inputs);
  const scope = op.scope ? scopeSentence(op.scope) : "";
  return {
    operationId: key.replace(/[^A-Za-z0-9]+/g, "_").replace(/_+$/, ""),
    summary: op.summary,
    ...(op.description || scope ? { description: [op.description, scope].filter(Boolean).join("\n\n") } : {}),
    tags: [op.tag],
    security: securityOf(op),
    ...(params || query || header
      ? {
          requestParams: {
            ...(params ? { path: params } : {}),
            ...(query ? { query } : {}),
            ...(header ? { header } : {}),
          },
        }
      : {}),
    parameters: plainPathParams(path, params),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(op),
    ...(op.scope ? { "x-scope": op.scope } : {}),
    "x-examples": op.examples.map(shownExample),
  } as ZodOpenApiOperationObject;
}

/**
 * The OpenAPI 3.1 document of the mounted routes that `operations` describes (a mounted route it does not
 * describe is left out, and test/openapi/coverage.test.ts fails on it).
 */
export function buildDocument(routes: readonly MountedRoute[], operations: Operations, serverUrl: string): object {
  const paths: ZodOpenApiPathsObject = {};
  for (const [key, inputs] of mountedEndpoints(routes)) {
    const op = operations[key];
    if (!op) continue;
    const [method, path] = [key.slice(0, key.indexOf(" ")).toLowerCase(), key.slice(key.indexOf(" ") + 1)];
    const item = (paths[openApiPath(path)] ??= {});
    (item as Record<string, ZodOpenApiOperationObject>)[method] = operationOf(key, op, inputs);
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "voicedesk API",
      version: "1.0.0",
      description:
        "Customer-service voice backend: provisioning (admin), rep and call-data APIs, carrier webhooks. " +
        "Each operation's `x-examples` are requests this Worker is tested to answer as documented.",
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: SCHEMES as never },
    paths,
  });
}
