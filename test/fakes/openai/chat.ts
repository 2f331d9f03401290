/**
 * POST /v1/chat/completions, the real request and response shapes (non-streaming). Replies are scripted per
 * API key through the control channel, so each test's tenant sees only its own script:
 *   POST /__fake/chat/{apiKey}          {content?: string, status?: number, error?: string}  → queue one reply
 *   GET  /__fake/chat/{apiKey}/requests → every request body that key sent, in order
 * A key with nothing scripted gets a loud 400, never an invented answer.
 */
import { randomUUID } from "node:crypto";
import { sendJson } from "../http";
import type { RestHandler } from "./rest";
import { openaiError } from "./server";

interface Scripted {
  content?: string;
  status?: number;
  error?: string;
}
interface ChatRequest {
  model?: unknown;
  messages?: unknown;
  response_format?: { type?: unknown; json_schema?: { name?: unknown; schema?: unknown } };
}

const scripts = new Map<string, Scripted[]>();
const requests = new Map<string, ChatRequest[]>();

function problem(b: ChatRequest): string | null {
  if (typeof b.model !== "string" || !b.model) return "you must provide a model parameter";
  if (!Array.isArray(b.messages) || !b.messages.length) return "'messages' must be a non-empty array";
  for (const m of b.messages as { role?: unknown; content?: unknown }[]) {
    if (!["system", "developer", "user", "assistant", "tool"].includes(String(m.role)))
      return `invalid role: ${String(m.role)}`;
    if (typeof m.content !== "string" && !Array.isArray(m.content)) return "each message needs content";
  }
  const rf = b.response_format;
  if (rf && !["text", "json_object", "json_schema"].includes(String(rf.type)))
    return `invalid response_format.type: ${String(rf.type)}`;
  if (
    rf?.type === "json_schema" &&
    (typeof rf.json_schema?.name !== "string" || typeof rf.json_schema.schema !== "object")
  ) {
    return "response_format.json_schema needs a name and a schema";
  }
  return null;
}

export const handleChat: RestHandler = async (req, res, url, body) => {
  const control = /^\/__fake\/chat\/([^/]+)(\/requests)?$/.exec(url.pathname);
  if (control) {
    const key = decodeURIComponent(control[1] ?? "");
    if (req.method === "GET" && control[2]) sendJson(res, 200, requests.get(key) ?? []);
    else if (req.method === "POST" && !control[2]) {
      const s = JSON.parse((await body()).toString("utf8") || "{}") as Scripted;
      scripts.set(key, [...(scripts.get(key) ?? []), s]);
      sendJson(res, 200, { queued: scripts.get(key)?.length });
    } else sendJson(res, 405, { error: "fake: unsupported control request" });
    return true;
  }
  if (url.pathname !== "/v1/chat/completions") return false;
  const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (req.method !== "POST") return false;
  if (!key) {
    const e = openaiError(401, "You didn't provide an API key.", "invalid_request_error");
    sendJson(res, e.status, e.body);
    return true;
  }
  let b: ChatRequest;
  try {
    b = JSON.parse((await body()).toString("utf8")) as ChatRequest;
  } catch {
    const e = openaiError(400, "We could not parse the JSON body of your request.");
    sendJson(res, e.status, e.body);
    return true;
  }
  const bad = problem(b);
  if (bad) {
    const e = openaiError(400, bad);
    sendJson(res, e.status, e.body);
    return true;
  }
  requests.set(key, [...(requests.get(key) ?? []), b]);
  const next = scripts.get(key)?.shift();
  if (!next) {
    const e = openaiError(400, "fake: no chat completion scripted for this API key");
    sendJson(res, e.status, e.body);
    return true;
  }
  if (next.status && next.status >= 400) {
    const e = openaiError(
      next.status,
      next.error ?? "fake: scripted failure",
      next.status >= 500 ? "server_error" : "invalid_request_error",
    );
    sendJson(res, e.status, e.body);
    return true;
  }
  sendJson(
    res,
    200,
    {
      id: `chatcmpl-${randomUUID().replace(/-/g, "").slice(0, 24)}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: `${b.model}-2024-07-18`,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: next.content ?? "", refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105 },
      service_tier: "default",
      system_fingerprint: "fp_fake",
    },
    { "x-request-id": `req_${randomUUID().replace(/-/g, "")}` },
  );
  return true;
};
