/**
 * Fake `GET /v1/models` (OpenAI's list shape: `{object: "list", data: [{id, object: "model", created, owned_by}]}`).
 * Every key is accepted unless a test refuses it: POST /__fake/models/refuse `{apiKey}` makes it answer 401
 * `invalid_api_key`, as OpenAI does for a revoked or mistyped key.
 */
import { readBody, sendJson } from "../http";
import type { RestHandler } from "./rest";

export const MODEL_IDS = [
  "gpt-realtime",
  "gpt-realtime-mini",
  "gpt-4o-realtime-preview",
  "gpt-4o-transcribe",
  "gpt-4o-mini-transcribe",
  "whisper-1",
  "gpt-4o-mini",
];
const refused = new Set<string>();

export const handleModels: RestHandler = async (req, res, url) => {
  if (url.pathname === "/__fake/models/refuse" && req.method === "POST") {
    const { apiKey } = JSON.parse((await readBody(req)).toString("utf8") || "{}") as { apiKey?: string };
    if (apiKey) refused.add(apiKey);
    sendJson(res, apiKey ? 201 : 400, apiKey ? { ok: true } : { error: "fake models: apiKey is required" });
    return true;
  }
  if (url.pathname !== "/v1/models" || req.method !== "GET") return false;
  const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!key || refused.has(key)) {
    const shown = key ? `${key.slice(0, 7)}****${key.slice(-4)}` : "";
    sendJson(res, 401, {
      error: {
        message: key ? `Incorrect API key provided: ${shown}.` : "You didn't provide an API key.",
        type: "invalid_request_error",
        param: null,
        code: key ? "invalid_api_key" : null,
      },
    });
    return true;
  }
  sendJson(res, 200, {
    object: "list",
    data: MODEL_IDS.map((id) => ({ id, object: "model", created: 1_727_659_500, owned_by: "system" })),
  });
  return true;
};
