import type { ComponentChildren } from "preact";
import type { Loaded } from "./hooks";

/**
 * The loading and error state of one API call: a polite status while loading, an alert with a retry button on
 * failure. Children render once data is there (and stay while a reload runs).
 */
export function Load<T>(props: {
  state: Loaded<T> & { reload(): void };
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  const { state, what } = props;
  return (
    <>
      {state.status === "loading" && (
        <p class="status" role="status">
          <span class="spinner" aria-hidden="true" /> Loading {what}…
        </p>
      )}
      {state.status === "error" && (
        <div class="error" role="alert">
          <p>
            Could not load {what}: {state.error}
          </p>
          <button type="button" onClick={state.reload}>
            Try again
          </button>
        </div>
      )}
      {state.data !== undefined && props.children(state.data)}
    </>
  );
}

export function Badge(props: { tone?: "good" | "bad" | "warn" | "neutral"; children: ComponentChildren }) {
  return <span class={`badge ${props.tone ?? "neutral"}`}>{props.children}</span>;
}

export function stateTone(state: string): "good" | "bad" | "warn" | "neutral" {
  if (state === "Completed") return "good";
  if (["Failed", "Busy", "NoAnswer", "Canceled"].includes(state)) return "bad";
  if (["Queued", "Ringing", "InProgress"].includes(state)) return "warn";
  return "neutral";
}
