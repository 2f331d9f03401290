import { describe, expect, it } from "vitest";
import { eventually } from "./stream-client";
import { answeringDrivers, startCall } from "./drivers";
import { assistantTenant, realtimeScript, realtimeState } from "./live-helpers";

describe.each(answeringDrivers)("realtime session renewal on $carrier", (driver) => {
  it("renews before the session's maximum: new socket, same instructions, recent transcript carried, no second greeting", async () => {
    const t = await assistantTenant({ welcome: "Hello from Acme." });
    const key = t.openaiKey!;
    await realtimeScript(key, {
      speechAfterBytes: 800,
      userTranscript: "I need help with my bill",
      reply: { chunks: 2, chunkBytes: 400, transcript: "Sure, what is your account number?" },
    });
    const { tc, stub } = await startCall(driver, t, { configure: { sessionMaxMs: 1500 } });
    for (let i = 0; i < 6; i++) tc.media();
    await tc.until(() => tc.of("media").length >= 4, "greeting and reply");

    // The old socket is closed before the new one opens, but the two are separate connections to the fake: the
    // new session's first event may reach it before the old socket's close does, so wait for both.
    const st = await eventually(
      () => realtimeState(key),
      (s) => s.connections.length >= 2 && s.connections[1]!.session !== null && !s.connections[0]!.open,
      "a renewed session, the first one closed",
      10_000,
    );
    const [first, second] = st.connections as [(typeof st.connections)[0], (typeof st.connections)[0]];
    expect(first.open).toBe(false);
    expect(second.session?.instructions).toContain("You are the front desk of Acme.");
    expect(second.session?.instructions).toContain("Caller: I need help with my bill");
    expect(second.session?.instructions).toContain("Assistant: Sure, what is your account number?");
    expect(second.events.map((e) => e.type)).not.toContain("response.create");

    // The call goes on over the new socket.
    const total = (s: typeof st) => s.connections.slice(1).reduce((n, c) => n + c.appends, 0);
    const before = total(st);
    for (let i = 0; i < 3; i++) tc.media();
    await eventually(
      () => realtimeState(key),
      (s) => total(s) === before + 3,
      "audio on the renewed session(s)",
    );
    expect((await realtimeState(key)).connections[0]!.appends).toBe(first.appends);
    expect((await stub.stats()).sessions).toBeGreaterThanOrEqual(2);
    expect((await stub.stats()).fallback).toBeNull();
    tc.stop(t.accountSid);
  });
});
