/**
 * Telnyx as a live-call driver: the call is parked at the fake Telnyx, its `call.initiated` is signed by the fake
 * and posted to the Worker's real webhook, which answers through call control; the stream then connects to the
 * `stream_url` of that answer with its client_state, as Telnyx does. Telnyx answers calls (and the engine
 * controls them) but is not a translate carrier: a translated call starts from a rep's Twilio call.
 */
import { afterSpeak, decodeClientState } from "../../src/carriers/telnyx/client-state";
import type { Command, FakeCall } from "../fakes/telnyx/calls";
import { admin, type Tenant } from "../helpers";
import { newTelnyxAccount, telnyxCommands, telnyxFake, type TelnyxAccount } from "../carriers/telnyx/helpers";
import { legPayload, sendTelnyx } from "../carriers/telnyx/tenant";
import type { AnsweringDriver, ControlAction } from "./drivers";
import { callStub } from "./live-helpers";
import { TelnyxStreamClient } from "./telnyx-stream-client";

const accounts = new Map<number, TelnyxAccount>();

/** The tenant's Telnyx account (made and provisioned the first time a test calls through Telnyx). */
async function telnyxOf(t: Tenant): Promise<TelnyxAccount> {
  const known = accounts.get(t.customerId);
  if (known) return known;
  const a = await newTelnyxAccount();
  const res = await admin(`/customers/${t.customerId}`, {
    method: "PATCH",
    json: { telnyx: { apiKey: a.apiKey, publicKey: a.publicKey, connectionId: a.connectionId } },
  });
  if (res.status !== 200) throw new Error(`telnyx account: ${res.status} ${await res.text()}`);
  accounts.set(t.customerId, a);
  return a;
}

const streamPath = (key: string) => `/streams/telnyx/${encodeURIComponent(key)}`;

function actionOf(c: Command): ControlAction | null {
  switch (c.action) {
    case "hangup":
      // Telnyx has one hangup, ringing or not; the fake knows whether the leg had been answered.
      return { action: "hangup", ringing: false };
    case "transfer":
      return { action: "transfer", to: { kind: "number", number: String(c.body.to) }, announce: null };
    case "speak": {
      // What comes after the speak rides in its client_state (src/carriers/telnyx/control.ts).
      const next = afterSpeak(String(c.body.client_state));
      const text = String(c.body.payload);
      if (next?.then === "transfer")
        return { action: "transfer", to: { kind: "number", number: next.to }, announce: text };
      return { action: "say-hangup", text, language: (c.body.language as string) ?? null };
    }
    case "answer":
    case "streaming_stop":
    case "status":
      // The webhook's answer, and the stream's end that goes with a transfer or a speak: not actions of their own.
      return null;
    default:
      return { action: "other" };
  }
}

export const telnyxDriver: AnsweringDriver = {
  carrier: "telnyx",
  async answerAssistantCall(t, caller, options) {
    const telnyx = await telnyxOf(t);
    const c = await telnyxFake<FakeCall>("/calls", { apiKey: telnyx.apiKey, from: caller, to: t.assistantNumber });
    const key = c.call_control_id;
    if (options) await callStub(key).configure(options);
    const res = await sendTelnyx(
      { telnyx },
      {
        eventType: "call.initiated",
        payload: { ...legPayload(c), direction: "incoming", state: "parked" },
      },
    );
    if (res.status !== 200) throw new Error(`call.initiated: ${res.status} ${await res.text()}`);
    const answer = (await telnyxCommands(telnyx)).find((x) => x.action === "answer" && x.callControlId === key);
    if (!answer || answer.status !== 200) throw new Error(`no answer for ${key}: ${JSON.stringify(answer)}`);
    const path = new URL(String(answer.body.stream_url).replace(/^ws/, "http")).pathname;
    if (path !== streamPath(key)) throw new Error(`the answer streams to ${path}, not the call's object`);
    const parameters = decodeClientState(String(answer.body.client_state)) ?? {};
    return { key, caller, parameters, connect: () => TelnyxStreamClient.connect(path, key) };
  },
  async newCallerLeg(t) {
    const telnyx = await telnyxOf(t);
    const c = await telnyxFake<FakeCall>("/calls", {
      apiKey: telnyx.apiKey,
      from: "+32470000999",
      to: "+15550100002",
      state: "answered",
    });
    return c.call_control_id;
  },
  connect: (key, callRef) => TelnyxStreamClient.connect(streamPath(key), callRef),
  async controlActions(t, callRef) {
    const cmds = await telnyxCommands(await telnyxOf(t));
    return cmds
      .filter((c) => c.callControlId === callRef && c.status === 200 && !c.duplicate)
      .map(actionOf)
      .filter((a): a is ControlAction => a !== null);
  },
};
