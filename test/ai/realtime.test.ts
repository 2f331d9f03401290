import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openRealtimeSocket, RealtimeRefused, sessionUpdate, voiceOrDefault } from "../../src/ai/realtime";
import { endCallTool } from "../../src/live/builtin-tools";
import { hex } from "../helpers";
import { eventually } from "../live/stream-client";
import { realtimeScript, realtimeState } from "../live/live-helpers";

const config = {
  instructions: "Be brief.",
  voice: "cedar",
  inputLanguage: "fr-BE",
  transcriptionModel: "gpt-4o-mini-transcribe",
};

describe("OpenAI realtime socket", () => {
  it("sends the GA session.update with μ-law both ways, voice, VAD and transcription", () => {
    const u = sessionUpdate("gpt-realtime", config);
    expect(u).toMatchObject({
      type: "session.update",
      session: {
        type: "realtime",
        model: "gpt-realtime",
        instructions: "Be brief.",
        output_modalities: ["audio"],
        audio: {
          input: {
            format: { type: "audio/pcmu" },
            turn_detection: { type: "server_vad" },
            transcription: { model: "gpt-4o-mini-transcribe", language: "fr" },
          },
          output: { format: { type: "audio/pcmu" }, voice: "cedar" },
        },
      },
    });
    for (const [language, code] of [
      ["fr-BE", "fr"],
      ["EN", "en"],
      ["pt_BR", "pt"],
      ["zh-Hant-TW", "zh"],
      ["English", undefined],
      ["Spanish", undefined],
      ["e", undefined],
    ] as const)
      expect(
        (
          sessionUpdate("gpt-realtime", { ...config, inputLanguage: language }).session.audio.input.transcription as {
            language?: string;
          }
        ).language,
        language,
      ).toBe(code);
    expect(voiceOrDefault("Coral")).toBe("coral");
    expect(voiceOrDefault("Polly.Joanna")).toBe("marin");
  });

  it("sends the default server VAD, or the assistant's turn detection, noise reduction and tools", () => {
    const input = (c: Partial<Parameters<typeof sessionUpdate>[1]>) =>
      sessionUpdate("gpt-realtime", { ...config, ...c }).session.audio.input as Record<string, unknown>;
    const always = { create_response: true, interrupt_response: true };
    expect(input({}).turn_detection).toEqual({
      type: "server_vad",
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 500,
      ...always,
    });
    expect(input({}).noise_reduction).toBeUndefined();
    expect(
      input({ turnDetection: { type: "server_vad", threshold: 0.8, silenceDurationMs: 900 } }).turn_detection,
    ).toEqual({
      type: "server_vad",
      threshold: 0.8,
      prefix_padding_ms: 300,
      silence_duration_ms: 900,
      ...always,
    });
    expect(input({ turnDetection: { type: "semantic_vad", eagerness: "high" } }).turn_detection).toEqual({
      type: "semantic_vad",
      eagerness: "high",
      ...always,
    });
    expect(input({ turnDetection: { type: "semantic_vad" } }).turn_detection).toMatchObject({ eagerness: "auto" });
    expect(input({ noiseReduction: "near_field" }).noise_reduction).toEqual({ type: "near_field" });
    expect(sessionUpdate("gpt-realtime", config).session).not.toHaveProperty("tools");
    expect(sessionUpdate("gpt-realtime", { ...config, tools: [endCallTool] }).session).toMatchObject({
      tools: [{ type: "function", name: "end_call", parameters: { type: "object" } }],
      tool_choice: "auto",
    });
  });

  it("keeps the socket open after the handshake timeout has passed", async () => {
    const apiKey = `sk-test-${hex(8)}`;
    const ws = await openRealtimeSocket({ baseUrl: env.OPENAI_BASE_URL, apiKey, model: "gpt-realtime" }, config, 300);
    await new Promise((r) => setTimeout(r, 700));
    ws.send(JSON.stringify({ type: "input_audio_buffer.append", audio: "/////w==" }));
    const st = await eventually(
      () => realtimeState(apiKey),
      (s) => s.connections[0]?.appends === 1,
      "the append",
    );
    expect(st.connections[0]!.open).toBe(true);
    ws.close();
  });

  it("gives up on an upgrade that is not answered in time, and closes the socket when the answer comes late", async () => {
    const apiKey = `sk-test-${hex(8)}`;
    await realtimeScript(apiKey, { acceptDelayMs: 600 });
    const err = await openRealtimeSocket(
      { baseUrl: env.OPENAI_BASE_URL, apiKey, model: "gpt-realtime" },
      config,
      150,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RealtimeRefused);
    expect((err as RealtimeRefused).status).toBe(0);
    expect((err as RealtimeRefused).message).toMatch(/no answer to the upgrade within 150 ms/);
    const st = await eventually(
      () => realtimeState(apiKey),
      (s) => s.connections.length === 1 && !s.connections[0]!.open,
      "the late socket closed",
    );
    expect(st.connections[0]!.closeCode).toBe(1000);
  });

  it("reports a refused upgrade with its status", async () => {
    const apiKey = `sk-test-${hex(8)}`;
    await realtimeScript(apiKey, { refuse: 1, refuseStatus: 429 });
    const err = await openRealtimeSocket({ baseUrl: env.OPENAI_BASE_URL, apiKey, model: "gpt-realtime" }, config).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RealtimeRefused);
    expect((err as RealtimeRefused).status).toBe(429);
  });
});
