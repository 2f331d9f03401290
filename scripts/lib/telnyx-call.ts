/**
 * `simulate-call --carrier telnyx`: one inbound Telnyx call against a local Worker, with the test suite's fake
 * Telnyx (test/fakes/telnyx.ts) as Telnyx — it must be the Worker's TELNYX_API_BASE_URL, since the Worker answers
 * the call through Telnyx's Call Control API. The fake holds the tenant's Telnyx account (a fresh Ed25519 key,
 * provisioned on the demo tenant through the admin API), signs `call.initiated` and `call.hangup` like Telnyx,
 * and its media player dials the `stream_url` of the Worker's answer and plays the caller in real time, judging
 * every frame the Worker sends back as Telnyx would (docs/telnyx.md, "The fake Telnyx").
 */
import { randomBytes } from "node:crypto";
import { startTelnyxFake } from "../../test/fakes/telnyx";
import * as player from "../../test/fakes/telnyx/media-player";
import { concatBytes, silence } from "./mulaw";

export interface TelnyxCallOptions {
  base: string;
  adminToken: string;
  customerId: number;
  to: string;
  from: string;
  audio: Uint8Array;
  seconds: number;
  port: number;
  verbose: boolean;
  log: (line: string) => void;
}

export interface TelnyxCallResult {
  /** What came back as media, in arrival order (8 kHz mu-law). */
  heard: Uint8Array;
  summary: string;
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function runTelnyxCall(o: TelnyxCallOptions): Promise<TelnyxCallResult> {
  const fake = await startTelnyxFake(o.port).catch((e: Error) => {
    throw new Error(`cannot start the fake Telnyx on port ${o.port}: ${e.message}`);
  });
  const control = (path: string, body: unknown) =>
    fetch(`${fake.url}/__fake${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  try {
    const apiKey = `KEYsim_${randomBytes(8).toString("hex")}`;
    const connectionId = String(1_000_000 + Math.floor(Math.random() * 1e9));
    const keys = await json<{ publicKey: string }>(
      await control("/accounts", { apiKey, connectionId, numbers: [o.to] }),
      "fake account",
    );
    o.log(`→ PATCH ${o.base}/api/admin/customers/${o.customerId}  telnyx: {connectionId ${connectionId}, publicKey …}`);
    await json(
      await fetch(`${o.base}/api/admin/customers/${o.customerId}`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${o.adminToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ telnyx: { apiKey, publicKey: keys.publicKey, connectionId } }),
      }),
      "provisioning the demo tenant's Telnyx account",
    );
    const call = await json<{ call_control_id: string; call_leg_id: string; call_session_id: string }>(
      await control("/calls", { apiKey, from: o.from, to: o.to }),
      "fake call",
    );
    const leg = { ...call, connection_id: connectionId, from: o.from, to: o.to, client_state: null };
    const deliver = (eventType: string, payload: Record<string, unknown>) =>
      control("/webhooks/deliver", {
        url: `${o.base}/api/webhooks/telnyx/voice`,
        apiKey,
        event: { eventType, payload },
      }).then((r) => json<{ status: number; body: string }>(r, `delivering ${eventType}`));

    o.log(`→ POST ${o.base}/api/webhooks/telnyx/voice  call.initiated ${o.from} → ${o.to} (signed, Ed25519)`);
    const hook = await deliver("call.initiated", { ...leg, direction: "incoming", state: "parked" });
    o.log(`← ${hook.status} ${hook.body}`);
    if (hook.status !== 200) throw new Error(`the webhook answered ${hook.status}`);
    const commands = await json<{ action: string; body: Record<string, unknown>; status: number }[]>(
      await fetch(`${fake.url}/__fake/commands?apiKey=${apiKey}`),
      "commands",
    );
    const answer = commands.find((c) => c.action === "answer");
    if (!answer)
      throw new Error(
        `the Worker did not answer through the fake Telnyx: start it with --var TELNYX_API_BASE_URL:${fake.url}/v2`,
      );
    o.log(`← answer ${JSON.stringify({ ...answer.body, client_state: "…" })}`);
    const streamUrl = new URL(String(answer.body.stream_url));
    // wrangler dev is plain http: connect to the Worker we were given, on the path the answer named.
    const connectUrl = new URL(streamUrl.pathname, o.base.replace(/^http/, "ws")).toString();

    const s = player.newSession({
      url: connectUrl,
      callControlId: call.call_control_id,
      callSessionId: call.call_session_id,
      clientState: String(answer.body.client_state),
      from: o.from,
      to: o.to,
      marks: "immediate",
    });
    await player.dialOut(s);
    const heard: Uint8Array[] = [];
    s.ws!.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { event?: string; media?: { payload?: string } };
      if (f.event === "media" && f.media?.payload) heard.push(Buffer.from(f.media.payload, "base64"));
      if (o.verbose) o.log(`← ${data.toString().slice(0, 200)}`);
    });
    o.log(`→ WebSocket ${connectUrl}: connected, start; playing ${o.seconds.toFixed(1)} s`);
    const frames = Math.ceil((o.seconds * 1000) / 20);
    const t0 = performance.now();
    for (let i = 0; i < frames && s.state === "open"; i++) {
      const wait = t0 + i * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const chunk = o.audio.subarray(i * 160, i * 160 + 160);
      const padded = chunk.length === 160 ? chunk : concatBytes([chunk, silence(20).subarray(chunk.length)]);
      player.playMedia(s, { payloads: [Buffer.from(padded).toString("base64")] });
    }
    player.stop(s);
    const hangup = await deliver("call.hangup", { ...leg, hangup_cause: "normal_clearing", hangup_source: "caller" });
    o.log(`→ stop; call.hangup ← ${hangup.status}`);
    await new Promise((r) => setTimeout(r, 500));
    const v = player.view(s);
    const media = v.received.filter((r) => r.event === "media");
    const bytes = media.reduce((n, r) => n + (r.event === "media" ? r.bytes : 0), 0);
    const rejected = v.rejected.length
      ? `; Telnyx would refuse ${v.rejected.length}: ${[...new Set(v.rejected.map((r) => r.reason))].join("; ")}`
      : "";
    return {
      heard: concatBytes(heard),
      summary:
        `sent ${frames} media frames (${(frames / 50).toFixed(1)} s); received ${media.length} media frames ` +
        `(${(bytes / 8000).toFixed(2)} s), ${v.received.filter((r) => r.event === "mark").length} marks ` +
        `(${v.marksEchoed.length} echoed), ${v.received.filter((r) => r.event === "clear").length} clears${rejected}`,
    };
  } finally {
    await fake.close();
  }
}
