import { useEffect, useState } from "preact/hooks";

/**
 * Hash routes (`#/calls?state=Completed`, `#/calls/vc_…`): the Worker serves one index.html and never sees
 * them, so no asset rule has to guess which paths are the console's. Filters live here (back/forward work);
 * the token never does.
 */
export type Route =
  | { view: "calls"; query: URLSearchParams }
  | { view: "call"; id: string }
  | { view: "analytics"; query: URLSearchParams }
  | { view: "softphone" }
  | { view: "talk" };

export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
  const query = new URLSearchParams(search);
  const call = /^\/calls\/([^/]+)$/.exec(path);
  if (call) return { view: "call", id: decodeURIComponent(call[1]!) };
  if (path === "/analytics") return { view: "analytics", query };
  if (path === "/softphone") return { view: "softphone" };
  if (path === "/talk") return { view: "talk" };
  return { view: "calls", query };
}

/** `#/path?query`, dropping empty values so the URL only says what was chosen. */
export function href(path: string, query: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

export const navigate = (to: string): void => {
  location.hash = to.replace(/^#/, "");
};
