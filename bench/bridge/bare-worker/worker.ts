/**
 * bench/bridge's `bare` target: the Node relay's passthrough (node-relay.ts), line for line, as a Worker with
 * one Durable Object per call, run by `wrangler dev` like the real Worker. It records nothing, tracks no
 * marks, parses with JSON.parse: what workerd itself costs per relayed frame on this machine, so the real
 * Worker's figures can be split into the runtime's share and ours. A diagnostic, not part of the bar.
 */
import { DurableObject } from "cloudflare:workers";

interface Env {
  CALLS: DurableObjectNamespace<BareCall>;
  OPENAI_BASE_URL: string;
  TWILIO_ACCOUNT_SID: string;
  TWILIO_AUTH_TOKEN: string;
}

const enc = new TextEncoder();

/** Twilio's webhook signature: base64 HMAC-SHA1 of the URL followed by the sorted params' names and values. */
async function validSignature(
  token: string,
  url: string,
  params: Record<string, string>,
  given: string,
): Promise<boolean> {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join("");
  const key = await crypto.subtle.importKey("raw", enc.encode(token), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(data)));
  const expected = enc.encode(btoa(String.fromCharCode(...mac)));
  const got = enc.encode(given);
  return got.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(got, expected);
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/health") return new Response("ok");
    if (url.pathname.startsWith("/streams/")) {
      const callSid = decodeURIComponent(url.pathname.slice("/streams/".length));
      return env.CALLS.get(env.CALLS.idFromName(callSid)).fetch(req);
    }
    if (req.method !== "POST" || url.pathname !== "/twiml") return new Response("not found", { status: 404 });
    const params = Object.fromEntries(new URLSearchParams(await req.text()));
    const signed = await validSignature(
      env.TWILIO_AUTH_TOKEN,
      req.url,
      params,
      req.headers.get("X-Twilio-Signature") ?? "",
    );
    if (params.AccountSid !== env.TWILIO_ACCOUNT_SID || !signed || !params.CallSid)
      return new Response("forbidden", { status: 403 });
    await env.CALLS.get(env.CALLS.idFromName(params.CallSid)).openUpstream();
    return new Response(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="ws://${url.host}/streams/${params.CallSid}">` +
        `<Parameter name="To" value="${params.To}"/><Parameter name="From" value="${params.From}"/></Stream></Connect></Response>`,
      { headers: { "Content-Type": "text/xml" } },
    );
  },
};

export class BareCall extends DurableObject<Env> {
  private upstream: WebSocket | null = null;
  private opening: Promise<void> | null = null;
  private queue: string[] = [];
  private twilio: WebSocket | null = null;
  private streamSid = "";
  private marks = 0;

  /** Opens the call's OpenAI socket (at the webhook, as the Worker does); frames before it opens are queued. */
  openUpstream(): Promise<void> {
    return (this.opening ??= (async () => {
      const res = await fetch(`${this.env.OPENAI_BASE_URL}/realtime?model=gpt-realtime`, {
        headers: { Upgrade: "websocket", Authorization: "Bearer sk-bare" },
      });
      const ws = res.webSocket;
      if (!ws) throw new Error(`upstream refused: ${res.status}`);
      ws.accept();
      ws.send(
        JSON.stringify({
          type: "session.update",
          session: {
            type: "realtime",
            audio: { input: { format: { type: "audio/pcmu" } }, output: { format: { type: "audio/pcmu" } } },
          },
        }),
      );
      for (const m of this.queue.splice(0)) ws.send(m);
      ws.addEventListener("message", (ev) => {
        const e = JSON.parse(String(ev.data)) as { type: string; delta?: string };
        if (e.type !== "response.output_audio.delta" || !this.twilio) return;
        this.twilio.send(JSON.stringify({ event: "media", streamSid: this.streamSid, media: { payload: e.delta } }));
        this.twilio.send(
          JSON.stringify({ event: "mark", streamSid: this.streamSid, mark: { name: `m${++this.marks}` } }),
        );
      });
      ws.addEventListener("close", () => this.twilio?.close(1000));
      this.upstream = ws;
    })());
  }

  override async fetch(req: Request): Promise<Response> {
    if (req.headers.get("Upgrade") !== "websocket") return new Response("expected a websocket", { status: 426 });
    const pair = new WebSocketPair();
    const ws = pair[1];
    ws.accept();
    this.twilio = ws;
    void this.openUpstream();
    ws.addEventListener("message", (ev) => {
      const msg = JSON.parse(String(ev.data)) as { event: string; streamSid?: string; media?: { payload: string } };
      if (msg.event === "start") this.streamSid = msg.streamSid ?? "";
      else if (msg.event === "media" && msg.media) {
        const m = JSON.stringify({ type: "input_audio_buffer.append", audio: msg.media.payload });
        if (this.upstream) this.upstream.send(m);
        else this.queue.push(m);
      } else if (msg.event === "stop") ws.close(1000);
    });
    ws.addEventListener("close", () => this.upstream?.close(1000));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
}
