import { call, client, type JsonOf } from "../api";
import { dateTime, duration } from "../format";
import { useDraft, useLoad } from "../hooks";
import { href, navigate } from "../router";
import { Badge, Load, stateTone } from "../ui";

const calls = client.api.v1["voice-calls"];
type ListQuery = NonNullable<Parameters<typeof calls.$get>[0]>["query"];
export type CallList = JsonOf<Awaited<ReturnType<typeof calls.$get>>>;

/** The filter values the API takes, checked against its query type both ways (a new state fails the build). */
const STATES = [
  "Queued",
  "Ringing",
  "InProgress",
  "Completed",
  "Busy",
  "NoAnswer",
  "Failed",
  "Canceled",
] as const satisfies readonly NonNullable<ListQuery["state"]>[];
const DIRECTIONS = ["Inbound", "Outbound"] as const satisfies readonly NonNullable<ListQuery["direction"]>[];
type Exhaustive<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const statesComplete: Exhaustive<(typeof STATES)[number], NonNullable<ListQuery["state"]>> = true;
const directionsComplete: Exhaustive<(typeof DIRECTIONS)[number], NonNullable<ListQuery["direction"]>> = true;
void [statesComplete, directionsComplete];

const PAGE_SIZES = [10, 25, 50, 100];
const FILTERS = ["state", "direction", "dateFrom", "dateTo", "campaignId"] as const;

/** The list the filters in the URL describe; remembered so a call's page can link back to it. */
export let lastListHref = href("/calls");

export function Calls(props: { query: URLSearchParams }) {
  const q = props.query;
  const page = Math.max(1, Number(q.get("page")) || 1);
  const asked = Number(q.get("pageSize"));
  const pageSize = Number.isInteger(asked) && asked >= 1 && asked <= 200 ? asked : 25;
  const filters = Object.fromEntries(FILTERS.map((k) => [k, q.get(k) ?? ""])) as Filters;
  lastListHref = `#/calls?${q.toString()}`;

  const state = useLoad(
    (signal) =>
      call(
        calls.$get(
          {
            query: {
              page: String(page),
              pageSize: String(pageSize),
              ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)),
            } as ListQuery,
          },
          { init: { signal } },
        ),
      ),
    [q.toString()],
  );

  const goto = (p: number) => navigate(href("/calls", { ...filters, pageSize, page: p }));

  return (
    <section aria-labelledby="calls-title">
      <h1 id="calls-title">Calls</h1>
      <FilterForm key={q.toString()} filters={filters} pageSize={pageSize} />
      <Load state={state} what="calls">
        {(list) => <CallTable list={list} busy={state.status === "loading"} goto={goto} />}
      </Load>
    </section>
  );
}

type Filters = Record<(typeof FILTERS)[number], string>;

/** The filter form (its values become the URL when applied). */
function FilterForm(props: { filters: Filters; pageSize: number }) {
  const { draft, field: bind } = useDraft({ ...props.filters, pageSize: String(props.pageSize) });
  const apply = (e: Event) => {
    e.preventDefault();
    const trimmed = Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim()]));
    navigate(href("/calls", trimmed));
  };
  return (
    <form class="filters card" onSubmit={apply} aria-label="Filter calls">
      <div class="field">
        <label for="f-state">State</label>
        <select id="f-state" {...bind("state")}>
          <option value="">Any</option>
          {STATES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-direction">Direction</label>
        <select id="f-direction" {...bind("direction")}>
          <option value="">Any</option>
          {DIRECTIONS.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-from">From (UTC day)</label>
        <input id="f-from" type="date" {...bind("dateFrom")} />
      </div>
      <div class="field">
        <label for="f-to">To (UTC day)</label>
        <input id="f-to" type="date" {...bind("dateTo")} />
      </div>
      <div class="field">
        <label for="f-campaign">Campaign ID</label>
        <input id="f-campaign" inputMode="numeric" {...bind("campaignId")} />
      </div>
      <div class="field">
        <label for="f-size">Per page</label>
        <select id="f-size" {...bind("pageSize")}>
          {[...new Set([...PAGE_SIZES, props.pageSize])]
            .sort((a, b) => a - b)
            .map((n) => (
              <option key={n}>{n}</option>
            ))}
        </select>
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <a class="button secondary" href={href("/calls")}>
          Clear
        </a>
      </div>
    </form>
  );
}

/** The page the API answered (its own page and size, so a slower answer is never labelled as another page). */
function CallTable(props: { list: CallList; busy: boolean; goto(p: number): void }) {
  const { list } = props;
  const { page, pageSize } = list;
  const pages = Math.max(1, Math.ceil(list.total / pageSize));
  if (!list.items.length)
    return (
      <p class="empty" role="status">
        {list.total ? `Page ${page} is past the end (${pages} pages).` : "No calls match these filters."}
      </p>
    );
  return (
    <>
      <div class="table-wrap" aria-busy={props.busy}>
        <table class="calls">
          <caption class="visually-hidden">Calls, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Call</th>
              <th scope="col">Created</th>
              <th scope="col">Direction</th>
              <th scope="col">State</th>
              <th scope="col">Duration</th>
              <th scope="col">Outcome</th>
              <th scope="col">Campaign</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((c) => (
              <tr key={c.id} data-call-id={c.id}>
                <th scope="row">
                  <a href={href(`/calls/${encodeURIComponent(c.id)}`)}>{c.id}</a>
                </th>
                <td data-label="Created">{dateTime(c.createdAt)}</td>
                <td data-label="Direction">{c.direction}</td>
                <td data-label="State">
                  <Badge tone={stateTone(c.state)}>{c.state}</Badge>
                </td>
                <td data-label="Duration">{duration(c.durationSeconds)}</td>
                <td data-label="Outcome">{c.outcome ?? "—"}</td>
                <td data-label="Campaign">{c.campaignId ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" class="secondary" disabled={page <= 1} onClick={() => props.goto(page - 1)}>
          Previous
        </button>
        <span role="status" data-testid="page-status">
          Page {page} of {pages} · {list.total} {list.total === 1 ? "call" : "calls"}
        </span>
        <button type="button" class="secondary" disabled={page >= pages} onClick={() => props.goto(page + 1)}>
          Next
        </button>
      </nav>
    </>
  );
}
