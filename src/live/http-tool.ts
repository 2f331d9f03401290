import { decryptSecret } from "../auth/crypto";
import { getTool, toolHeaders } from "../db/assistant-tools";
import type { Env } from "../env";
import type { PlannedTool } from "./call-plan";
import { toolFailed, type ToolOutcome } from "./tool-runner";

/**
 * How the engine sends a tool's HTTP request. Production: the platform's fetch; the test Worker maps its tool
 * host onto a loopback fake (test/worker.ts), the way the base-URL variables do for Twilio and OpenAI.
 */
export type ToolFetch = (request: Request) => Promise<Response>;
export const platformFetch: ToolFetch = (request) => fetch(request);

/** The part of a tool's answer the model is given; the rest is cut (it is read aloud, not archived). */
const MAX_BODY_CHARS = 8000;

/**
 * Calls an assistant's HTTP tool (docs/live-calls.md, "HTTP tools") with the model's arguments: a JSON body
 * (POST, PUT, PATCH) or query parameters (GET, DELETE), the tool's headers decrypted now (they are never in
 * the call's stored plan), within its timeout, redirects not followed (an https tool may not hand its headers
 * to another address). 2xx = success; the status and body go back to the model either way.
 */
export async function callHttpTool(
  env: Env,
  fetcher: ToolFetch,
  customerId: number,
  tool: PlannedTool,
  argsJson: string,
): Promise<ToolOutcome> {
  const url = new URL(tool.url);
  // The admin API stores https URLs only; checked again here because the headers carry the tenant's secrets.
  if (url.protocol !== "https:") return toolFailed("This tool is misconfigured.", "not an https URL");
  const args = parseArguments(argsJson);
  if (!args) return toolFailed("The arguments were not a JSON object.", "arguments are not a JSON object");
  const row = await getTool(env.DB, customerId, tool.id);
  if (!row) return toolFailed("This tool is no longer available.", "tool deleted");
  const headers = new Headers();
  for (const [name, enc] of Object.entries(toolHeaders(row))) headers.set(name, await decryptSecret(env, enc));
  let body: string | undefined;
  if (tool.method === "GET" || tool.method === "DELETE") {
    for (const [k, v] of Object.entries(args)) url.searchParams.set(k, typeof v === "string" ? v : JSON.stringify(v));
  } else {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(args);
  }
  let res: Response;
  let text: string;
  try {
    const signal = AbortSignal.timeout(tool.timeoutMs);
    res = await fetcher(new Request(url, { method: tool.method, headers, body, redirect: "manual", signal }));
    text = await readCapped(res, MAX_BODY_CHARS);
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    return timedOut
      ? toolFailed("The tool did not answer in time.", `timed out after ${tool.timeoutMs} ms`)
      : toolFailed("The tool could not be reached.", "request failed");
  }
  const output = { status: res.status, body: jsonOrText(text) };
  if (res.ok) return { output, success: true };
  if (res.status >= 300 && res.status < 400) return { ...toolFailed("The tool redirected.", "redirect"), output };
  return { ...toolFailed("The tool answered with an error.", `HTTP ${res.status}`), output };
}

function parseArguments(json: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(json || "{}");
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const jsonOrText = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The body's first `max` characters; the rest is not read. */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (text.length < max) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
  await reader.cancel().catch(() => undefined);
  return text.slice(0, max);
}
