/**
 * Fake `POST /v1/realtime/calls`: multipart `sdp` + `session` (the unified interface) or a bare
 * `application/sdp` offer. Answers 201 `application/sdp` with an SDP answer derived from the offer and a
 * `Location: /v1/realtime/calls/rtc_…`; errors in OpenAI's `{error:{message,type,param,code}}` shape.
 * Per API key: `/__fake/realtime-calls/fail?apiKey=` makes that key fail, `/__fake/realtime-calls/requests`
 * lists what it sent.
 */
import { createHash } from "node:crypto";
import { sendJson } from "../http";
import type { RestHandler } from "./rest";

interface Failure {
  status: number;
  message: string;
  type?: string;
  code?: string | null;
}
const failures = new Map<string, Failure>();
const logs = new Map<string, { session: unknown; offer: string; callId: string }[]>();

const err = (
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
  type = "invalid_request_error",
) => ({
  status,
  body: { error: { message, type, param, code } },
});

/** The answer a server would give: same session, active DTLS role, its own ICE credentials. */
export function answerFor(offer: string, callId: string): string {
  const lines = offer.split(/\r?\n/).filter(Boolean);
  const mids = lines.filter((l) => l.startsWith("a=mid:"));
  const out = [
    "v=0",
    `o=- ${parseInt(callId.slice(4, 12), 16)} 2 IN IP4 127.0.0.1`,
    "s=-",
    "t=0 0",
    "a=group:BUNDLE " + mids.map((m) => m.slice(6)).join(" "),
  ];
  for (const l of lines) {
    if (l.startsWith("m="))
      out.push(
        l.replace(/^(m=\w+) \d+/, "$1 9"),
        "c=IN IP4 127.0.0.1",
        `a=ice-ufrag:${callId.slice(4, 12)}`,
        `a=ice-pwd:${callId.slice(12)}`,
        "a=setup:active",
      );
    else if (/^a=(mid|rtpmap|fmtp|sctp-port|rtcp-mux)/.test(l)) out.push(l);
  }
  return out.join("\r\n") + "\r\n";
}

export const handleRealtimeCalls: RestHandler = async (req, res, url, body) => {
  const key = url.searchParams.get("apiKey") ?? "";
  if (url.pathname === "/__fake/realtime-calls/fail" && req.method === "POST") {
    const f = JSON.parse((await body()).toString() || "null") as Failure | null;
    if (f) failures.set(key, f);
    else failures.delete(key);
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (url.pathname === "/__fake/realtime-calls/requests") {
    sendJson(res, 200, logs.get(key) ?? []);
    return true;
  }
  if (url.pathname !== "/v1/realtime/calls") return false;
  const send = (e: ReturnType<typeof err>) => (sendJson(res, e.status, e.body), true);
  if (req.method !== "POST") return send(err(405, `Method ${req.method} not allowed`));
  const apiKey = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!apiKey) return send(err(401, "You didn't provide an API key.", null, "missing_api_key"));
  const fail = failures.get(apiKey);
  if (fail) return send(err(fail.status, fail.message, null, fail.code ?? null, fail.type));
  const ctype = String(req.headers["content-type"] ?? "");
  const raw = await body();
  let offer: string;
  let session: unknown = null;
  if (ctype.startsWith("application/sdp")) offer = raw.toString();
  else if (ctype.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake/", {
      method: "POST",
      headers: { "content-type": ctype },
      body: new Uint8Array(raw),
    }).formData();
    const sdp = form.get("sdp");
    offer = typeof sdp === "string" ? sdp : "";
    const s = form.get("session");
    if (typeof s !== "string")
      return send(err(400, "Missing required parameter: 'session'.", "session", "missing_required_parameter"));
    try {
      session = JSON.parse(s);
    } catch {
      return send(err(400, "Invalid 'session': expected a JSON object.", "session", "invalid_value"));
    }
    const sess = session as { type?: unknown; model?: unknown };
    if (sess.type !== "realtime")
      return send(err(400, "Invalid value for 'session.type': expected 'realtime'.", "session.type", "invalid_value"));
    if (typeof sess.model !== "string" || !sess.model.includes("realtime"))
      return send(err(400, `Invalid model: ${String(sess.model)}`, "session.model", "model_not_found"));
  } else return send(err(415, `Unsupported content type: ${ctype}`));
  if (!offer.startsWith("v=0") || !/\r?\nm=audio /.test(offer))
    return send(err(400, "Invalid SDP offer: expected an audio media section.", "sdp", "invalid_offer"));
  const callId = `rtc_${createHash("sha256")
    .update(apiKey + offer)
    .digest("hex")
    .slice(0, 32)}`;
  const list = logs.get(apiKey) ?? [];
  list.push({ session, offer, callId });
  logs.set(apiKey, list);
  res.writeHead(201, { "Content-Type": "application/sdp", Location: `/v1/realtime/calls/${callId}` });
  res.end(answerFor(offer, callId));
  return true;
};
