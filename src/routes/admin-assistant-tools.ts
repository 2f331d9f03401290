import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { encryptSecret } from "../auth/crypto";
import { getAssistant } from "../db/assistants";
import * as tools from "../db/assistant-tools";
import { isUniqueViolation } from "../db/unique";
import type { Env } from "../env";
import { ApiError, notFound } from "../lib/errors";
import { functionParameters, NO_PARAMETERS } from "../lib/json-schema";
import { intId } from "../lib/schemas";
import { validate } from "../lib/validate";
import { BUILTIN_TOOL_NAMES } from "../live/builtin-tools";

const assistantParam = z.object({ id: intId, assistantId: intId });
const toolParam = assistantParam.extend({ toolId: intId });

/** Headers we set ourselves or that would break the request; everything else is the tenant's. */
const RESERVED_HEADERS = new Set(["host", "content-length", "content-type", "transfer-encoding", "connection"]);

/** True unless the URL names a user or password (a string that is no URL at all is the url check's to refuse). */
function withoutCredentials(u: string): boolean {
  try {
    const url = new URL(u);
    return !url.username && !url.password;
  } catch {
    return true;
  }
}

const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, _ or -")
  .refine((n) => !BUILTIN_TOOL_NAMES.includes(n), { message: "is the name of a built-in tool" });
const httpsUrl = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain })
  .max(2048)
  .refine(withoutCredentials, {
    message: "must not carry credentials (put them in headers, which are encrypted)",
  });
const headers = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "is not an HTTP header name")
      .refine((h) => !RESERVED_HEADERS.has(h.toLowerCase()), { message: "is set by voicedesk itself" }),
    z.string().min(1).max(4096),
  )
  .refine((h) => Object.keys(h).length <= 20, { message: "at most 20 headers" });

const toolBody = z.object({
  name: toolName,
  description: z.string().min(1).max(1024),
  parameters: functionParameters.optional(),
  url: httpsUrl,
  method: z.enum(tools.TOOL_METHODS).default("POST"),
  /** Values are secrets: encrypted at rest, never returned. Replaced as a whole on PATCH. */
  headers: headers.default({}),
  timeoutMs: z.number().int().min(100).max(20_000).default(5000),
});
const toolPatch = z.object({
  name: toolName.optional(),
  description: z.string().min(1).max(1024).optional(),
  parameters: functionParameters.optional(),
  url: httpsUrl.optional(),
  method: z.enum(tools.TOOL_METHODS).optional(),
  headers: headers.optional(),
  timeoutMs: z.number().int().min(100).max(20_000).optional(),
});

async function encryptHeaders(env: Env, h: Record<string, string>): Promise<string> {
  const entries = await Promise.all(Object.entries(h).map(async ([k, v]) => [k, await encryptSecret(env, v)]));
  return JSON.stringify(Object.fromEntries(entries));
}

async function loadAssistant(db: D1Database, customerId: number, assistantId: number) {
  if (!(await getAssistant(db, customerId, assistantId))) throw notFound(`Assistant ${assistantId} not found`);
}

/** A second tool of the same name on one assistant: the model could not tell them apart. */
function nameTaken<T>(name: string | undefined) {
  return (e: unknown): T => {
    if (isUniqueViolation(e)) throw new ApiError(409, `The assistant already has a tool named "${name}"`);
    throw e;
  };
}

/** `/api/admin/customers/{id}/assistants/{assistantId}/tools`: HTTP tools the assistant may call in a call. */
export const adminAssistantToolRoutes = new Hono<AppEnv>()
  .post("/", validate("param", assistantParam), validate("json", toolBody), async (c) => {
    const { id, assistantId } = c.req.valid("param");
    const b = c.req.valid("json");
    await loadAssistant(c.env.DB, id, assistantId);
    const row = await tools
      .insertTool(c.env.DB, id, assistantId, {
        name: b.name,
        description: b.description,
        parameters_json: JSON.stringify(b.parameters ?? NO_PARAMETERS),
        url: b.url,
        method: b.method,
        headers_json: await encryptHeaders(c.env, b.headers),
        timeout_ms: b.timeoutMs,
      })
      .catch(nameTaken<tools.AssistantToolRow>(b.name));
    return c.json(tools.publicTool(row), 201);
  })
  .get("/", validate("param", assistantParam), async (c) => {
    const { id, assistantId } = c.req.valid("param");
    await loadAssistant(c.env.DB, id, assistantId);
    return c.json({ items: (await tools.listTools(c.env.DB, id, assistantId)).map(tools.publicTool) });
  })
  .patch("/:toolId", validate("param", toolParam), validate("json", toolPatch), async (c) => {
    const { id, assistantId, toolId } = c.req.valid("param");
    const b = c.req.valid("json");
    const row = await tools
      .updateTool(c.env.DB, id, assistantId, toolId, {
        name: b.name,
        description: b.description,
        parameters_json: b.parameters && JSON.stringify(b.parameters),
        url: b.url,
        method: b.method,
        headers_json: b.headers && (await encryptHeaders(c.env, b.headers)),
        timeout_ms: b.timeoutMs,
      })
      .catch(nameTaken<tools.AssistantToolRow | null>(b.name));
    if (!row) throw notFound(`Tool ${toolId} not found`);
    return c.json(tools.publicTool(row));
  })
  .delete("/:toolId", validate("param", toolParam), async (c) => {
    const { id, assistantId, toolId } = c.req.valid("param");
    if (!(await tools.deleteTool(c.env.DB, id, assistantId, toolId))) throw notFound(`Tool ${toolId} not found`);
    return c.body(null, 204);
  });
