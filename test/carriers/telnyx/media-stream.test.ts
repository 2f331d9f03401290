/**
 * The fake Telnyx's media-stream player, which step 2 uses to play calls into the Worker: once against a trivial
 * echo (the fake dials out, as Telnyx does), once dialled from workerd and read with our own media wire, so the
 * fake and src/carriers/telnyx/media-wire.ts are checked against each other.
 */
import { describe, expect, it } from "vitest";
import { encodeClientState } from "../../../src/carriers/telnyx/client-state";
import { telnyxWire } from "../../../src/carriers/telnyx/media-wire";
import type { LegEvent } from "../../../src/live/carrier";
import { bytesToBase64 } from "../../../src/lib/encoding";
import { eventuallyFake, Socket, telnyxFake, telnyxOrigin } from "./helpers";

interface StreamView {
  id: string;
  streamId: string;
  state: "waiting" | "open" | "closed";
  received: ({ event: "media"; bytes: number } | { event: "mark"; name: string } | { event: "clear" })[];
  rejected: { frame: string; reason: string }[];
  marksEchoed: string[];
  closed: { code: number; reason: string } | null;
  socketUrl?: string;
}

const audio = (ms: number, byte: number) => bytesToBase64(new Uint8Array(ms * 8).fill(byte));

describe("the fake Telnyx's media-stream player", () => {
  it("dials out, plays connected/start, media in the order asked for, and stop; checks what comes back", async () => {
    const echo = `${telnyxOrigin().replace(/^http/, "ws")}/__fake/echo`;
    const s = await telnyxFake<StreamView>("/streams", { url: echo, callControlId: "v3:echo-call" });
    expect(s.state).toBe("open");
    const payloads = [0x11, 0x22, 0x33, 0x44].map((b) => audio(20, b));
    const played = await telnyxFake<{ sent: { chunk: string; timestamp: string }[] }>(`/streams/${s.id}/media`, {
      payloads,
      order: [1, 0, 3, 2],
    });
    expect(played.sent.map((m) => [m.chunk, m.timestamp])).toEqual([
      ["2", "20"],
      ["1", "0"],
      ["4", "60"],
      ["3", "40"],
    ]);
    // The echo sends the media frames back as if they were ours: Telnyx would accept each (160 bytes = 20 ms).
    const back = await eventuallyFake<StreamView>(
      `/streams/${s.id}`,
      (v) => v.received.length === 4,
      "4 echoed frames",
    );
    expect(back.received).toEqual(Array(4).fill({ event: "media", bytes: 160 }));
    expect(back.rejected).toEqual([]);
    await telnyxFake(`/streams/${s.id}/stop`, {});
    const done = await eventuallyFake<StreamView>(`/streams/${s.id}`, (v) => v.state === "closed", "closed");
    expect(done.closed?.code).toBe(1000);
  });

  it("dialled from workerd: its frames read by our wire, ours judged and marks echoed as Telnyx does", async () => {
    const params = { CustomerId: "9", StreamToken: "cd".repeat(32), Leg: "caller" };
    const s = await telnyxFake<StreamView>("/streams", {
      callControlId: "v3:dialled-in",
      clientState: encodeClientState(params),
      customParameters: { Source: "fake" },
      marks: "manual",
    });
    const ws = await Socket.open(s.socketUrl!);
    const events: LegEvent[] = [];
    const seen = (n: number) => ws.until(() => ws.frames.length >= n, `${n} frames`);
    const parsed = () => {
      for (const f of ws.frames.splice(0)) {
        const p = telnyxWire.parse(f);
        if (!p.ok) throw new Error(`our wire refused the fake's frame (${p.reason}): ${f}`);
        events.push(p.event);
      }
      return events;
    };

    await seen(2);
    expect(parsed()).toEqual([
      { kind: "other" },
      { kind: "start", streamId: s.streamId, callRef: "v3:dialled-in", parameters: { Source: "fake", ...params } },
    ]);

    await telnyxFake(`/streams/${s.id}/media`, { count: 3, order: [2, 0, 1] });
    await telnyxFake(`/streams/${s.id}/dtmf`, { digit: "7" });
    await seen(4);
    const later = parsed().slice(2);
    expect(later.map((e) => (e.kind === "media" ? e.timestampMs : e.kind))).toEqual([40, 0, 20, "dtmf"]);

    // Ours: audio then a mark, twice; the marks come back once the fake has "played" the audio before them.
    const out = telnyxWire.outgoing(s.streamId);
    ws.send(out.media(audio(20, 0x55)));
    ws.send(out.mark("m1"));
    ws.send(out.media(audio(100, 0x56)));
    ws.send(out.mark("m2"));
    const queued = await eventuallyFake<StreamView>(`/streams/${s.id}`, (v) => v.received.length === 4, "our frames");
    expect(queued.marksEchoed).toEqual([]);
    await telnyxFake(`/streams/${s.id}/play`, {});
    await seen(2);
    expect(parsed().slice(6)).toEqual([
      { kind: "mark", name: "m1" },
      { kind: "mark", name: "m2" },
    ]);

    // clear drops what is queued and returns its marks; too short a chunk is refused with an error frame.
    ws.send(out.media(audio(20, 0x57)));
    ws.send(out.mark("m3"));
    ws.send(out.clear());
    ws.send(out.media(audio(10, 0x58)));
    await seen(2);
    expect(parsed().slice(8)).toEqual([{ kind: "mark", name: "m3" }, { kind: "other" }]);
    const after = await telnyxFake<StreamView>(`/streams/${s.id}`);
    expect(after.received.slice(4)).toEqual([
      { event: "media", bytes: 160 },
      { event: "mark", name: "m3" },
      { event: "clear" },
    ]);
    expect(after.rejected.map((r) => r.reason)).toEqual(["media.payload must be base64 of 20 ms to 30 s of audio"]);

    await telnyxFake(`/streams/${s.id}/stop`, {});
    await ws.until(() => ws.closed !== null, "the socket to close");
    expect(parsed().slice(10)).toEqual([{ kind: "stop" }]);
  });
});
