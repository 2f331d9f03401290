/**
 * POST /api/realtime/calls: the browser's WebRTC SDP exchange with OpenAI Realtime, server side, so the
 * tenant's key never reaches the browser. Multipart `sdp` (the offer) and `session` (JSON session config)
 * are checked, the tenant's realtime model is filled in when the session names none, and OpenAI's answer
 * (status, content type, SDP, Location) comes back unchanged.
 */
import { Hono } from "hono";
import { requireTenantOpenAI } from "../ai/openai";
import { openaiError } from "../ai/openai-errors";
import { UpstreamError } from "../lib/upstream";
import { loadCustomer } from "../db/customers";
import type { AppEnv } from "../auth/context";
import { requireRep } from "../auth/middleware";
import { readBytesLimited } from "../lib/body-limit";
import { ApiError } from "../lib/errors";
import { invalid as invalidFields } from "../lib/validate";

/** SDP offers are a few KB; the session config is small JSON. */
export const MAX_REALTIME_BODY_BYTES = 256 * 1024;

const invalid = (path: string, message: string) => invalidFields("form", [{ path, message }]);

/** Returns the problem with an SDP offer, or null when it is an offer carrying audio. */
export function sdpOfferProblem(sdp: string): string | null {
  const lines = sdp
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines[0] !== "v=0") return "is not an SDP description (it must start with v=0)";
  if (!lines.some((l) => /^m=audio \d+ /.test(l))) return "has no audio media line (m=audio)";
  const setup = lines.filter((l) => l.startsWith("a=setup:")).map((l) => l.slice(8));
  if (setup.some((s) => s !== "actpass"))
    return `is an answer, not an offer (a=setup:${setup.find((s) => s !== "actpass")})`;
  return null;
}

/** A form field's text, whether the browser sent it as a plain field or as a Blob (which gets a filename). */
async function fieldText(v: unknown): Promise<string | null> {
  if (typeof v === "string") return v;
  if (v instanceof Blob) return v.text();
  return null;
}

// Any representative JWT, no scope (SPEC.md section B and seed 000; README "Scopes").
const caller = [requireRep] as const;

export const realtimeRoutes = new Hono<AppEnv>().use("*", ...caller).post("/calls", async (c) => {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^multipart\/form-data/i.test(type))
    throw new ApiError(400, "Expected multipart/form-data with fields sdp and session");
  const bytes = await readBytesLimited(c.req.raw, MAX_REALTIME_BODY_BYTES, "The request body");
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "Content-Type": type } }).formData();
  } catch {
    throw new ApiError(400, "Malformed multipart body");
  }
  const sdp = await fieldText(form.get("sdp"));
  if (!sdp?.trim()) throw invalid("sdp", "is required (the browser's SDP offer)");
  const problem = sdpOfferProblem(sdp);
  if (problem) throw invalid("sdp", problem);
  const sessionText = await fieldText(form.get("session"));
  if (!sessionText?.trim()) throw invalid("session", "is required (JSON session configuration)");
  let session: unknown;
  try {
    session = JSON.parse(sessionText);
  } catch {
    throw invalid("session", "is not valid JSON");
  }
  if (typeof session !== "object" || session === null || Array.isArray(session))
    throw invalid("session", "must be a JSON object");

  const customer = await loadCustomer(c.env.DB, c.get("rep").customerId);
  const ai = await requireTenantOpenAI(c.env, customer);
  const out = new FormData();
  out.append("sdp", sdp);
  out.append("session", JSON.stringify({ type: "realtime", model: customer.openai_realtime_model, ...session }));
  let res: Response;
  try {
    res = await fetch(`${ai.baseUrl}/realtime/calls`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ai.apiKey}` },
      body: out,
    });
  } catch (e) {
    throw new UpstreamError("OpenAI", 0, null, e instanceof Error ? e.message : "network error", "realtime call");
  }
  if (!res.ok) throw await openaiError(res, "realtime call");
  const headers = new Headers({
    "Content-Type": res.headers.get("Content-Type") ?? "application/sdp",
    "Cache-Control": "no-store",
  });
  const location = res.headers.get("Location");
  if (location) headers.set("Location", location);
  return new Response(res.body, { status: res.status, headers });
});
