import { describe, expect, it } from "vitest";
import { eventually } from "./stream-client";
import { answeringDrivers, startCall } from "./drivers";
import { assistantTenant, b64Concat, realtimeScript, realtimeState } from "./live-helpers";

describe.each(answeringDrivers)("caller audio before OpenAI is ready, on $carrier", (driver) => {
  it("is buffered while the realtime socket opens and sent in order after session.update, none dropped", async () => {
    const t = await assistantTenant({ welcome: null });
    const key = t.openaiKey!;
    await realtimeScript(key, { acceptDelayMs: 1500 });
    const { tc } = await startCall(driver, t);
    // The stream starts and speaks while OpenAI is still answering the upgrade.
    const sent = Array.from({ length: 40 }, (_, i) => tc.media(i));
    expect((await realtimeState(key)).connections).toHaveLength(0);
    const st = await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]?.appends === 40,
      "all 40 frames at OpenAI",
      10_000,
    );
    const c = st.connections[0]!;
    expect(c.appendsBeforeSession).toBe(0);
    expect(c.events[0]?.type).toBe("session.update");
    expect(c.audioBase64).toBe(b64Concat(sent));
    tc.stop(t.accountSid);
  });

  it("keeps calls apart: two concurrent calls never see each other's audio", async () => {
    const [a, b] = await Promise.all([assistantTenant({ welcome: null }), assistantTenant({ welcome: null })]);
    const [ca, cb] = await Promise.all([startCall(driver, a), startCall(driver, b)]);
    const sentA: string[] = [];
    const sentB: string[] = [];
    for (let i = 0; i < 30; i++) {
      sentA.push(ca.tc.media(0x11));
      sentB.push(cb.tc.media(0x22));
    }
    const [sa, sb] = await Promise.all([
      eventually(
        () => realtimeState(a.openaiKey!),
        (s) => s.connections[0]?.appends === 30,
        "call A's audio",
      ),
      eventually(
        () => realtimeState(b.openaiKey!),
        (s) => s.connections[0]?.appends === 30,
        "call B's audio",
      ),
    ]);
    expect(sa.connections).toHaveLength(1);
    expect(sb.connections).toHaveLength(1);
    expect(sa.connections[0]!.audioBase64).toBe(b64Concat(sentA));
    expect(sb.connections[0]!.audioBase64).toBe(b64Concat(sentB));
    ca.tc.stop(a.accountSid);
    cb.tc.stop(b.accountSid);
  });
});
