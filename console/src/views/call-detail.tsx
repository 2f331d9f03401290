import type { ComponentChildren, RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { call, client, type JsonOf } from "../api";
import { clockSeconds, dateTime, duration } from "../format";
import { useLoad } from "../hooks";
import { Badge, Load, stateTone } from "../ui";
import { lastListHref } from "./calls";

const one = client.api.v1["voice-calls"][":id"];
type Detail = JsonOf<Awaited<ReturnType<typeof one.$get>>>;
type Epa = NonNullable<Detail["epaResults"]>;

const SENTIMENT_TONE = { positive: "good", neutral: "neutral", negative: "bad" } as const;

/** One call: its facts and sentiment, the recording beside the transcript (click a line to hear it), its survey. */
export function CallDetail(props: { id: string; scopes: string[] }) {
  const detail = useLoad((signal) => call(one.$get({ param: { id: props.id } }, { init: { signal } })), [props.id]);
  const [at, setAt] = useState(0);
  const player = useRef<HTMLAudioElement>(null);
  const seek = (seconds: number) => {
    const a = player.current;
    if (!a) return;
    a.currentTime = seconds;
    void a.play().catch(() => {});
  };

  return (
    <section aria-labelledby="call-title">
      <p>
        <a href={lastListHref}>← All calls</a>
      </p>
      <h1 id="call-title">
        Call <code>{props.id}</code>
      </h1>
      <Load state={detail} what="the call">
        {(c) => (
          <>
            <dl class="facts card">
              <Fact name="State">
                <Badge tone={stateTone(c.state)}>{c.state}</Badge>
              </Fact>
              <Fact name="Direction">{c.direction}</Fact>
              <Fact name="Created">{dateTime(c.createdAt)}</Fact>
              <Fact name="Duration">{duration(c.durationSeconds)}</Fact>
              <Fact name="Talk time">{duration(c.talkTimeSeconds)}</Fact>
              <Fact name="Outcome">{c.outcome ?? "—"}</Fact>
              <Fact name="Campaign">{c.campaignId ?? "—"}</Fact>
              <Fact name="Sentiment">
                {c.sentiment ? (
                  <Badge tone={SENTIMENT_TONE[c.sentiment]}>{c.sentiment}</Badge>
                ) : (
                  <span class="muted">not classified</span>
                )}
              </Fact>
            </dl>
            <div class="split">
              <div>
                <Recording
                  id={props.id}
                  canDownload={props.scopes.includes("audio:download")}
                  player={player}
                  onTime={setAt}
                />
                {c.epaResults && <Survey epa={c.epaResults} />}
              </div>
              <Transcript lines={c.transcript} at={at} seek={seek} />
            </div>
          </>
        )}
      </Load>
    </section>
  );
}

function Fact(props: { name: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{props.name}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/**
 * The signed recording URL (15 minutes, no auth needed) in an <audio> element; the Worker serves it with Range,
 * so seeking fetches only what is played. An expired link is replaced once, where playback was.
 */
function Recording(props: {
  id: string;
  canDownload: boolean;
  player: RefObject<HTMLAudioElement | null>;
  onTime(seconds: number): void;
}) {
  const link = useLoad(
    (signal) =>
      props.canDownload
        ? call(one["recording-url"].$get({ param: { id: props.id } }, { init: { signal } }))
        : Promise.resolve(null),
    [props.id, props.canDownload],
  );
  const [playError, setPlayError] = useState<string | null>(null);
  const resumeAt = useRef(0);
  useEffect(() => setPlayError(null), [link.data?.recordingUrl]);

  const failed = () => {
    const a = props.player.current;
    const expired = link.data && Date.parse(link.data.expiresAt) <= Date.now();
    if (a && expired && resumeAt.current === 0) {
      resumeAt.current = a.currentTime || 0.001;
      link.reload();
      return;
    }
    setPlayError("The recording could not be played. Get a new link and try again.");
  };
  const loaded = () => {
    const a = props.player.current;
    if (a && resumeAt.current) a.currentTime = resumeAt.current;
    resumeAt.current = 0;
  };

  return (
    <section class="card" aria-labelledby="rec-title">
      <h2 id="rec-title">Recording</h2>
      {!props.canDownload ? (
        <p class="muted">
          Your token has no <code>audio:download</code> scope, so the recording cannot be fetched.
        </p>
      ) : link.status === "error" && /no recording/i.test(link.error) ? (
        <p class="empty">This call has no recording.</p>
      ) : (
        <Load state={link} what="the recording link">
          {(l) =>
            l && (
              <>
                <audio
                  ref={props.player}
                  controls
                  preload="metadata"
                  src={l.recordingUrl}
                  aria-label="Call recording"
                  onError={failed}
                  onLoadedMetadata={loaded}
                  onTimeUpdate={(e) => props.onTime((e.currentTarget as HTMLAudioElement).currentTime)}
                />
                <p class="muted">
                  Link valid until {dateTime(l.expiresAt)} ·{" "}
                  <a href={l.recordingUrl} download>
                    Download WAV
                  </a>
                </p>
                {playError && (
                  <div class="error" role="alert">
                    <p>{playError}</p>
                    <button type="button" onClick={link.reload}>
                      Get a new link
                    </button>
                  </div>
                )}
              </>
            )
          }
        </Load>
      )}
    </section>
  );
}

function Transcript(props: { lines: Detail["transcript"]; at: number; seek(seconds: number): void }) {
  const starts = props.lines.map((l) => clockSeconds(l.timestamp));
  let current = -1;
  starts.forEach((s, i) => {
    if (s <= props.at) current = i;
  });
  return (
    <section class="card" aria-labelledby="transcript-title">
      <h2 id="transcript-title">Transcript</h2>
      {!props.lines.length ? (
        <p class="empty">No transcript for this call.</p>
      ) : (
        <ol class="transcript">
          {props.lines.map((l, i) => (
            <li key={i} class={l.role} aria-current={i === current ? "true" : undefined}>
              <button type="button" class="stamp" onClick={() => props.seek(starts[i]!)} title="Play from here">
                <span class="visually-hidden">Play from </span>
                {l.timestamp}
              </button>
              <span class="who">{l.role === "customer" ? "Caller" : "Agent"}</span>
              <span class="text">{l.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Survey(props: { epa: Epa }) {
  const e = props.epa;
  return (
    <section class="card" aria-labelledby="epa-title">
      <h2 id="epa-title">Post-call survey</h2>
      <p>
        <Badge tone={e.state === "Completed" ? "good" : "neutral"}>{e.state}</Badge> {e.questionsAnswered} of{" "}
        {e.totalQuestions} answered
        {e.calculatedScore !== null && <> · score {e.calculatedScore}</>}
        {e.completionReason && <> · {e.completionReason}</>}
      </p>
      {e.responses.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Question</th>
              <th scope="col">Answer</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {e.responses.map((r) => (
              <tr key={r.questionIndex}>
                <td>{r.questionIndex + 1}</td>
                <td>{r.question}</td>
                <td>{r.answer ?? "—"}</td>
                <td>{r.score ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
