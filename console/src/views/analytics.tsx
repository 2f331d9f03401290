import type { overview, timeline } from "@voicedesk/db/call-analytics";
import { call, client } from "../api";
import { duration, percent, utcDay } from "../format";
import { useDraft, useLoad } from "../hooks";
import { href, navigate } from "../router";
import { Load } from "../ui";
import { TimelineChart } from "./chart";

/*
 * The analytics routes answer through an ETag-aware helper (src/lib/http-cache.ts), so their JSON type is not in
 * the route's signature: it is named here from the query functions that produce it, still checked against src/.
 */
type Metrics = Awaited<ReturnType<typeof overview>>;
export type Bucket = Awaited<ReturnType<typeof timeline>>[number];

const analytics = client.api.voice.analytics;
const json = <T,>(res: Promise<Response>): Promise<T> => call(res) as Promise<T>;

export function Analytics(props: { query: URLSearchParams }) {
  const q = props.query;
  const bucket = q.get("bucket") === "hour" ? "hour" : "day";
  const start = q.get("start_date") || utcDay(bucket === "hour" ? 1 : 29);
  const end = q.get("end_date") || utcDay(0);
  const range = { start_date: start, end_date: end };

  const metrics = useLoad(
    (signal) => json<{ metrics: Metrics }>(analytics.overview.$get({ query: range }, { init: { signal } })),
    [start, end],
  );
  const series = useLoad(
    (signal) =>
      json<{ bucket: "day" | "hour"; timeline: Bucket[] }>(
        analytics.timeline.$get({ query: { ...range, bucket } }, { init: { signal } }),
      ),
    [start, end, bucket],
  );

  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">Analytics</h1>
      <RangeForm key={q.toString()} start={start} end={end} bucket={bucket} />
      <Load state={metrics} what="the overview">
        {({ metrics: m }) => (
          <ul class="numbers" aria-label="Overview">
            <Number label="Calls" value={String(m.total_calls)} testid="total-calls" />
            <Number label="Completed" value={String(m.completed_calls)} />
            <Number label="Not completed" value={String(m.incomplete_calls)} />
            <Number label="Average duration" value={duration(m.avg_duration_seconds)} />
            <Number label="Completed with a recording" value={percent(m.recording_availability_rate)} />
          </ul>
        )}
      </Load>
      <section class="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Calls per {bucket}</h2>
        <Load state={series} what="the timeline">
          {(t) => <TimelineChart buckets={t.timeline} unit={t.bucket} start={start} end={end} />}
        </Load>
      </section>
    </section>
  );
}

function Number(props: { label: string; value: string; testid?: string }) {
  return (
    <li class="card number">
      <span class="label">{props.label}</span>
      <strong data-testid={props.testid}>{props.value}</strong>
    </li>
  );
}

function RangeForm(props: { start: string; end: string; bucket: "day" | "hour" }) {
  const { draft, field: bind } = useDraft<Record<"start_date" | "end_date" | "bucket", string>>({
    start_date: props.start,
    end_date: props.end,
    bucket: props.bucket,
  });
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(href("/analytics", draft));
  };
  return (
    <form class="filters card" onSubmit={apply} aria-label="Analytics range">
      <div class="field">
        <label for="a-start">From (UTC day)</label>
        <input id="a-start" type="date" required {...bind("start_date")} />
      </div>
      <div class="field">
        <label for="a-end">To (UTC day)</label>
        <input id="a-end" type="date" required {...bind("end_date")} />
      </div>
      <div class="field">
        <label for="a-bucket">Per</label>
        <select id="a-bucket" {...bind("bucket")}>
          <option value="day">day</option>
          <option value="hour">hour</option>
        </select>
      </div>
      <div class="actions">
        <button type="submit">Show</button>
      </div>
    </form>
  );
}
