import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { MAX_JSON_BYTES } from "../../src/lib/validate";
import { signRecordingUrl } from "../../src/recordings/signed-url";
import { BASE } from "../helpers";
import {
  authMode,
  type BodyCase,
  GARBAGE_AUTH,
  hostileBody,
  hostileHeaders,
  hostileQuery,
  paramValue,
} from "./hostile";
import { appRouteKeys, ROUTES, type RouteClass } from "./route-table";
import { fillPath, type Outgoing, patternParams, sendChecked } from "./send";
import { type Seeded, seedTenant } from "./world";

/** Fixed, so a failure is reproducible and a run never differs from the last (change it to explore further). */
const SEED = 1616;
const RUNS_PER_ROUTE = 12;

const keys = appRouteKeys(createApp().routes);
let world: Seeded;
let cases = 0;
const swept = new Set<string>();

/**
 * The files the sweep is split over (test/sweeps/fuzz-*.test.ts): each runs in an isolate of its own, in parallel
 * where CI allows, and a long sequence of hostile requests in one isolate was seen to slow down as it went.
 * A new route lands in a group by its auth, so it is swept without touching the files.
 */
export type FuzzGroup = "admin" | "rep-desk" | "rep-data" | "anonymous";

export function groupOf(key: string, route: RouteClass): FuzzGroup {
  if (route.auth === "admin") return "admin";
  if (route.auth !== "rep") return "anonymous";
  return /^\S+ \/api\/(me|tickets|AudioChunks|Transcriptions|realtime|TwilioCalls)(\/|$)/.test(key)
    ? "rep-desk"
    : "rep-data";
}

/** The credential a route takes, as its caller would send it; "none" and "garbage" try without one. */
async function credentials(
  route: RouteClass,
  mode: "valid" | "none" | "garbage",
  garbage: string,
  path: string,
): Promise<Pick<Outgoing, "headers" | "twilioAuthToken" | "query">> {
  if (mode === "garbage") return { headers: [["Authorization", garbage]] };
  if (mode === "none") return {};
  switch (route.auth) {
    case "admin":
      return { headers: [["Authorization", `Bearer ${env.ADMIN_TOKEN}`]] };
    case "rep":
      return { headers: [["Authorization", `Bearer ${world.t.token}`]] };
    case "twilio":
      return { twilioAuthToken: world.t.authToken };
    case "signed-url": {
      const u = new URL((await signRecordingUrl(env, BASE, decodeURIComponent(path.split("/").pop()!))).url);
      return { query: [...u.searchParams] };
    }
    default:
      return {};
  }
}

/** The tenant's own ids, which let a hostile body or query reach the handler; never for deletions. */
function ownIds(method: string): string[] {
  if (method === "DELETE") return [];
  const { accountSid: _a, authToken: _t, repNumber: _n, ...ids } = world.ids;
  return Object.values(ids);
}

const hostileRequest = (method: string, pattern: string, route: RouteClass) =>
  fc.record({
    params: fc.tuple(
      ...patternParams(pattern).map((p) =>
        p.choices.length
          ? fc.oneof(fc.constantFrom(...p.choices), paramValue([]))
          : paramValue(route.auth === "signed-url" ? [world.ids.recording] : ownIds(method)),
      ),
    ),
    query: hostileQuery,
    headers: hostileHeaders,
    body: hostileBody(route.body, [world.ids.ticket]),
    auth: authMode,
    garbage: fc.constantFrom(...GARBAGE_AUTH),
  });

type HostileCase = ReturnType<typeof hostileRequest> extends fc.Arbitrary<infer T> ? T : never;

async function send(method: string, pattern: string, route: RouteClass, h: HostileCase) {
  const names = patternParams(pattern).map((p) => p.name);
  const path = fillPath(pattern, Object.fromEntries(names.map((n, i) => [n, h.params[i]!])));
  const cred = await credentials(route, h.auth, h.garbage, path);
  cases++;
  await sendChecked(
    {
      method,
      path,
      query: [...(cred.query ?? []), ...h.query],
      headers: [...h.headers, ...(cred.headers ?? [])],
      body: h.body,
      twilioAuthToken: cred.twilioAuthToken,
    },
    route,
  );
}

/** Bodies past every cap, declared and streamed: each route must refuse or ignore them, never fall over. */
function oversized(route: RouteClass): BodyCase[] {
  if (route.body === "none") return [];
  const big = JSON.stringify({ name: "x".repeat(MAX_JSON_BYTES), subject: "x" });
  if (route.body === "form")
    return [
      {
        form: [
          ["AccountSid", world.ids.accountSid],
          ["Pad", "x".repeat(MAX_JSON_BYTES)],
        ],
      },
    ];
  if (route.body === "multipart")
    return [{ multipart: Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, value: "x".repeat(16 * 1024) })) }];
  return [{ contentType: "application/json", text: big }];
}

/** Sweeps the routes of one group: a fixed-seed property per route, plus bodies past every cap. */
export function fuzzSweep(group: FuzzGroup) {
  const mine = keys.filter((k) => ROUTES[k] && groupOf(k, ROUTES[k]) === group);

  beforeAll(async () => {
    world = await seedTenant({ openai: false });
  });

  afterAll(() => {
    console.log(`fuzz sweep (${group}): ${swept.size} routes swept, ${cases} cases run (seed ${SEED})`);
  });

  describe(`fuzz sweep (${group}): hostile input on every route`, () => {
    it("classifies every route of the app (test/sweeps/route-table.ts), and only routes the app has", () => {
      const missing = keys.filter((k) => !(k in ROUTES));
      const stale = Object.keys(ROUTES).filter((k) => !keys.includes(k));
      expect(missing, "routes to classify in test/sweeps/route-table.ts").toEqual([]);
      expect(stale, "rows for routes the app no longer has").toEqual([]);
      expect(mine.length).toBeGreaterThan(0);
    });

    it.each(mine)("%s: no 5xx, no hang, JSON refusals that write nothing", async (key) => {
      const route = ROUTES[key]!;
      const [method, pattern] = key.split(" ") as [string, string];
      for (const body of oversized(route)) {
        const names = patternParams(pattern).map((p) => p.name);
        const path = fillPath(pattern, Object.fromEntries(names.map((n) => [n, "1"])));
        const cred = await credentials(route, "valid", "", path);
        cases++;
        await sendChecked({ method, path, body, headers: cred.headers, twilioAuthToken: cred.twilioAuthToken }, route);
      }
      await fc.assert(
        fc.asyncProperty(hostileRequest(method, pattern, route), (h) => send(method, pattern, route, h)),
        { seed: SEED + keys.indexOf(key), numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
      swept.add(key);
    });
  });
}
