import type { VOICES } from "@voicedesk/ai/realtime";
import { useEffect, useRef, useState } from "preact/hooks";
import { RealtimeTalk, type TalkEvent, type TalkState, type TalkStats } from "../realtime-talk";
import { Badge } from "../ui";

/** The model's voices, checked against the Worker's list (src/ai/realtime.ts) both ways. */
const VOICE_LIST = [
  "marin",
  "cedar",
  "alloy",
  "ash",
  "ballad",
  "coral",
  "echo",
  "sage",
  "shimmer",
  "verse",
] as const satisfies readonly (typeof VOICES)[number][];
const voicesComplete: [(typeof VOICES)[number]] extends [(typeof VOICE_LIST)[number]] ? true : never = true;
void voicesComplete;

const STATE_TEXT: Record<TalkState, string> = {
  idle: "Not connected",
  microphone: "Opening the microphone…",
  connecting: "Connecting to the AI…",
  connected: "Connected: speak, the AI hears you",
  ended: "Call ended",
  failed: "Call failed",
};
const STATE_TONE = { connected: "good", failed: "bad", microphone: "warn", connecting: "warn" } as const;
const MAX_EVENTS = 200;

export function Talk() {
  const [state, setState] = useState<{ state: TalkState; detail?: string }>({ state: "idle" });
  const [events, setEvents] = useState<TalkEvent[]>([]);
  const [stats, setStats] = useState<TalkStats | null>(null);
  const [voice, setVoice] = useState<string>(VOICE_LIST[0]);
  const [instructions, setInstructions] = useState("");
  const talk = useRef<RealtimeTalk | null>(null);
  const speaker = useRef<HTMLAudioElement>(null);
  const active = state.state === "microphone" || state.state === "connecting" || state.state === "connected";

  useEffect(() => () => talk.current?.stop(), []);
  useEffect(() => {
    if (state.state !== "connected") return;
    const t = setInterval(() => void talk.current?.stats().then(setStats), 500);
    return () => clearInterval(t);
  }, [state.state]);

  const start = (e: Event) => {
    e.preventDefault();
    setEvents([]);
    setStats(null);
    const session: Record<string, unknown> = { type: "realtime", audio: { output: { voice } } };
    if (instructions.trim()) session.instructions = instructions.trim();
    const t = new RealtimeTalk({
      state: (s, detail) => setState({ state: s, detail }),
      event: (ev) => setEvents((list) => [ev, ...list].slice(0, MAX_EVENTS)),
      remoteAudio: (stream) => {
        if (speaker.current) {
          speaker.current.srcObject = stream;
          void speaker.current.play().catch(() => {});
        }
      },
    });
    talk.current = t;
    void t.start(session);
  };

  return (
    <section aria-labelledby="talk-title">
      <h1 id="talk-title">Talk to the AI</h1>
      <form class="card talk-form" onSubmit={start} aria-label="Call settings">
        <div class="field">
          <label for="t-voice">Voice</label>
          <select id="t-voice" value={voice} onInput={(e) => setVoice(e.currentTarget.value)} disabled={active}>
            {VOICE_LIST.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </div>
        <div class="field grow">
          <label for="t-instructions">Instructions (optional)</label>
          <textarea
            id="t-instructions"
            rows={2}
            value={instructions}
            onInput={(e) => setInstructions(e.currentTarget.value)}
            disabled={active}
            placeholder="The tenant's realtime model answers; say how it should behave."
          />
        </div>
        <div class="actions">
          {/* Keyed apart: morphed in place, the hang-up click would land on a submit button and start again. */}
          {active ? (
            <button key="hang-up" type="button" class="danger" onClick={() => talk.current?.stop()}>
              Hang up
            </button>
          ) : (
            <button key="start" type="submit">
              Start talking
            </button>
          )}
          <button
            type="button"
            class="secondary"
            disabled={state.state !== "connected"}
            onClick={() => talk.current?.send({ type: "response.create" })}
          >
            Ask for a reply
          </button>
        </div>
      </form>
      <div class="card">
        <p role="status" data-testid="talk-state" data-state={state.state}>
          <Badge tone={STATE_TONE[state.state as keyof typeof STATE_TONE] ?? "neutral"}>
            {STATE_TEXT[state.state]}
          </Badge>
          {state.detail && <span class="error-text"> {state.detail}</span>}
        </p>
        <audio ref={speaker} controls autoPlay aria-label="The AI's voice" />
        <dl class="facts" aria-label="Audio" data-testid="talk-stats">
          <div>
            <dt>Microphone packets sent</dt>
            <dd data-testid="packets-sent">{stats?.packetsSent ?? "—"}</dd>
          </div>
          <div>
            <dt>AI audio packets received</dt>
            <dd data-testid="packets-received">{stats?.packetsReceived ?? "—"}</dd>
          </div>
          <div>
            <dt>AI audio energy</dt>
            <dd data-testid="energy-received">{stats ? stats.energyReceived.toFixed(4) : "—"}</dd>
          </div>
          <div>
            <dt>Call ID</dt>
            <dd>
              <code>{talk.current?.callId ?? "—"}</code>
            </dd>
          </div>
        </dl>
      </div>
      <section class="card" aria-labelledby="events-title">
        <h2 id="events-title">Events from the AI</h2>
        {!events.length && <p class="empty">Events on the data channel appear here, newest first.</p>}
        <div role="log" aria-live="polite" aria-relevant="additions" data-testid="talk-events">
          <ol class="events">
            {events.map((ev, i) => (
              <li key={events.length - i}>
                <time>{new Date(ev.at).toLocaleTimeString()}</time> <code>{ev.type}</code> {ev.summary}
              </li>
            ))}
          </ol>
        </div>
      </section>
    </section>
  );
}
