import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { RealtimeLink } from "../../src/live/realtime-link";
import { hex } from "../helpers";
import { realtimeScript, realtimeState, realtimeTrigger } from "./live-helpers";

const SESSION_MS = 60_000;
const GRACE_MS = 30_000; // RENEW_GRACE_MS in src/live/realtime-link.ts

/** Waits on real I/O (the fake OpenAI) while setTimeout is faked: workerd's scheduler is not. */
async function until(cond: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    await scheduler.wait(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A link to the fake OpenAI whose renewal timer is driven by the test (fake setTimeout), never by the clock. */
async function openLink() {
  const key = `sk-link-${hex(8)}`;
  await realtimeScript(key, { holdResponses: true });
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const events: string[] = [];
  const failures: string[] = [];
  const link = new RealtimeLink({
    target: { baseUrl: inject("openaiBaseUrl"), apiKey: key, model: "gpt-realtime" },
    config: { instructions: "Be brief.", voice: "marin", transcriptionModel: "gpt-4o-mini-transcribe" },
    maxSessionMs: SESSION_MS,
    onEvent: (ev) => events.push(ev.type),
    onFailure: (r) => failures.push(r),
    carryOver: () => "Caller: where is my parcel?",
  });
  link.start();
  await until(() => link.isOpen, "the first session");
  // A reply is under way (the fake holds it until told to finish).
  link.send({ type: "response.create" });
  await until(() => events.includes("response.created"), "the reply to start");
  return { key, link, events, failures };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("RealtimeLink renewal", () => {
  it("waits for the reply in progress to finish, then renews with the transcript carried", async () => {
    const { key, link, failures } = await openLink();
    vi.advanceTimersByTime(SESSION_MS); // the session's maximum is reached mid-reply
    expect(link.isOpen).toBe(true);
    expect(link.sessions).toBe(1);
    await realtimeTrigger(key, "finish");
    await until(() => link.sessions === 2 && link.isOpen, "the renewed session");
    const st = await realtimeState(key);
    expect(st.connections).toHaveLength(2);
    expect(st.connections[1]!.session?.instructions).toContain("Caller: where is my parcel?");
    await until(async () => (await realtimeState(key)).connections[0]!.open === false, "the old socket closed");
    expect(failures).toEqual([]);
    link.close();
  });

  it("renews anyway when the reply outlasts the grace period (the session's hard limit is near)", async () => {
    const { link, failures } = await openLink();
    vi.advanceTimersByTime(SESSION_MS);
    vi.advanceTimersByTime(GRACE_MS - 1);
    expect(link.sessions).toBe(1);
    expect(link.isOpen).toBe(true);
    vi.advanceTimersByTime(1);
    expect(link.isOpen).toBe(false); // the old socket is dropped at once; the new one is opening
    await until(() => link.sessions === 2 && link.isOpen, "the renewed session");
    expect(failures).toEqual([]);
    link.close();
  });
});
