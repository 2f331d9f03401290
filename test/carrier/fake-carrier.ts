/**
 * A test-only second carrier (docs/architecture.md, "How to add a carrier"): its own media-stream frame shape
 * and its own call-control API (test/fakes/fake-carrier.ts on loopback). The live-call tests run once on
 * Twilio and once on it, through the same engine, which shows the seam holds: nothing in src/live/ knows it.
 *
 * Frames in:  {"t":"hello","leg":callRef,"sid":streamId,"vars":{…}} · {"t":"pcmu","ms":n,"data":b64}
 *             {"t":"heard","tag":name} · {"t":"digit","d":"5"} · {"t":"bye"}
 * Frames out: {"t":"play","sid":…,"data":b64} · {"t":"tag","sid":…,"tag":name} · {"t":"flush","sid":…}
 */
import type { Env } from "../../src/env";
import type { CallControl, Carrier, CarrierCallState, LegEvent, MediaWire, ParsedFrame } from "../../src/live/carrier";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): v is Record<string, string> =>
  isObject(v) && Object.values(v).every((x) => typeof x === "string");

function legEvent(f: Json): LegEvent | null {
  switch (f.t) {
    case "hello":
      return typeof f.leg === "string" && typeof f.sid === "string" && isStringMap(f.vars)
        ? { kind: "start", streamId: f.sid, callRef: f.leg, parameters: f.vars }
        : null;
    case "pcmu":
      return typeof f.ms === "number" && f.ms >= 0 && typeof f.data === "string"
        ? { kind: "media", timestampMs: f.ms, payload: f.data }
        : null;
    case "heard":
      return typeof f.tag === "string" ? { kind: "mark", name: f.tag } : null;
    case "digit":
      return typeof f.d === "string" ? { kind: "dtmf", digit: f.d } : null;
    case "bye":
      return { kind: "stop" };
    default:
      return typeof f.t === "string" ? { kind: "other" } : null;
  }
}

export const fakeWire: MediaWire = {
  parse(data): ParsedFrame {
    if (typeof data !== "string") return { ok: false, reason: "binary" };
    let f: unknown;
    try {
      f = JSON.parse(data);
    } catch {
      return { ok: false, reason: "json" };
    }
    const event = isObject(f) ? legEvent(f) : null;
    return event ? { ok: true, event } : { ok: false, reason: "shape" };
  },
  outgoing: (sid) => ({
    media: (data) => JSON.stringify({ t: "play", sid, data }),
    mark: (tag) => JSON.stringify({ t: "tag", sid, tag }),
    clear: () => JSON.stringify({ t: "flush", sid }),
  }),
};

function fakeControl(env: Env, customerId: number): CallControl {
  const base = (env as Env & { FAKE_CARRIER_URL: string }).FAKE_CARRIER_URL;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/v1/calls${path}`, {
      method,
      headers: { "X-Customer-Id": String(customerId), "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`fake carrier ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  return {
    answer: async (ref, stream) =>
      void (await call("POST", `/${ref}/answer`, { key: stream.key, parameters: stream.parameters })),
    dial: async (p) => {
      const r = await call("POST", "", {
        to: p.to,
        from: p.from,
        key: p.stream.key,
        parameters: p.stream.parameters,
        timeoutSec: p.timeoutSec,
      });
      return { callRef: String(r.callRef) };
    },
    transfer: async (ref, to, callerId, announce) =>
      void (await call("POST", `/${ref}/transfer`, { to, callerId, announce })),
    sayAndHangUp: async (ref, text, language) => void (await call("POST", `/${ref}/say-hangup`, { text, language })),
    hangUp: async (ref, ringing) => void (await call("POST", `/${ref}/hangup`, { ringing })),
    status: async (ref) => (await call("GET", `/${ref}`)).state as CarrierCallState,
  };
}

export const fakeCarrier: Carrier = {
  name: "fake",
  wire: fakeWire,
  control: async (env, customerId) => fakeControl(env, customerId),
};
