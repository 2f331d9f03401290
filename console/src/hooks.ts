import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { describeFailure } from "./api";

export type Loaded<T> =
  | { status: "loading"; data?: T }
  | { status: "ok"; data: T }
  | { status: "error"; error: string; data?: T };

/**
 * Runs `load` whenever `deps` change (aborting the previous run) and on `reload()`; the last good data stays
 * visible while a reload is in flight, so a table does not blink away on every filter change.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> & { reload(): void } {
  const [state, setState] = useState<Loaded<T>>({ status: "loading" });
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ status: "loading", data: s.data }));
    latest.current(abort.signal).then(
      (data) => abort.signal.aborted || setState({ status: "ok", data }),
      (e: unknown) =>
        abort.signal.aborted || setState((s) => ({ status: "error", error: describeFailure(e), data: s.data })),
    );
    return () => abort.abort();
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** The current time, ticking every `ms` (for countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/**
 * A form whose fields stay local until it is applied (then they become the URL, so back/forward replay them):
 * `field(name)` gives an input or select its name, value and input handler.
 */
export function useDraft<T extends Record<string, string>>(initial: T) {
  const [draft, setDraft] = useState(initial);
  const field = (name: keyof T & string) => ({
    name,
    value: draft[name],
    onInput: (e: Event) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value }),
  });
  return { draft, field };
}
