import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { signRecordingUrl } from "../../src/recordings/signed-url";
import { BASE } from "../helpers";
import { appRouteKeys, type Foreign, type Ids, LIST, ROUTES, type RouteClass } from "./route-table";
import { buildRequest, fillPath, type Outgoing, patternParams } from "./send";
import { type Seeded, seedTenant } from "./world";
import { exports } from "cloudflare:workers";

const keys = appRouteKeys(createApp().routes);
const isForeign = (r: RouteClass): r is RouteClass & { idor: Foreign } => "expect" in r.idor;
const foreignKeys = keys.filter((k) => ROUTES[k] && isForeign(ROUTES[k]));
const listKeys = keys.filter((k) => ROUTES[k]?.idor === LIST);

let a: Seeded;
let b: Seeded;
let cases = 0;
const swept = new Set<string>();
const listed = new Set<string>();

beforeAll(async () => {
  a = await seedTenant();
  b = await seedTenant();
});

afterAll(() => {
  const covered = keys.filter((k) => ROUTES[k] && "coveredBy" in ROUTES[k].idor).length;
  console.log(
    `IDOR sweep: ${swept.size} id-taking routes swept, ${listed.size} lists checked (${cases} requests), ` +
      `${covered} covered by their own tests, ${keys.length - swept.size - listed.size - covered} take no tenant id`,
  );
});

let tables: string[] | undefined;

/** Every row of every table: a refused foreign request must leave all of it exactly as it was. */
async function snapshot(): Promise<unknown[]> {
  tables ??= (
    await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' ORDER BY name",
    ).all<{ name: string }>()
  ).results.map((r) => r.name);
  const all = await env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT * FROM "${t}"`)));
  // some tables are WITHOUT ROWID: compare each table's rows as a sorted list
  return all.map((r) => r.results.map((row) => JSON.stringify(row)).sort());
}

/** The request `caller` makes on `key` with the ids of `owner` (tenant A), as the route table describes it. */
async function requestAs(key: string, caller: Seeded, owner: Seeded): Promise<Outgoing> {
  const route = ROUTES[key]!;
  const idor = route.idor as Foreign;
  const [method, pattern] = key.split(" ") as [string, string];
  const values: Record<string, string> = {};
  for (const { name } of patternParams(pattern)) {
    const kind = idor.params?.[name];
    if (!kind) throw new Error(`${key}: the route table names no id for :${name}`);
    values[name] = kind.startsWith("=")
      ? kind.slice(1)
      : kind === "self"
        ? caller.ids.customer
        : owner.ids[kind as keyof Ids];
  }
  const o: Outgoing = { method, path: fillPath(pattern, values), headers: [] };
  const q = idor.query?.(owner.ids, caller.ids);
  if (q) o.query = Object.entries(q);
  const body = idor.json?.(owner.ids, caller.ids);
  if (body !== undefined) o.body = { contentType: "application/json", text: JSON.stringify(body) };
  const form = idor.form?.(owner.ids, caller.ids);
  if (form) o.body = { form: Object.entries(form) };
  switch (route.auth) {
    case "admin":
      o.headers!.push(["Authorization", `Bearer ${env.ADMIN_TOKEN}`]);
      break;
    case "rep":
      o.headers!.push(["Authorization", `Bearer ${caller.t.token}`]);
      break;
    case "twilio":
      o.twilioAuthToken = caller.ids.authToken;
      break;
    case "signed-url": {
      // the caller's own valid signature, on the owner's recording
      const signed = new URL((await signRecordingUrl(env, BASE, caller.ids.recording)).url);
      o.query = [...signed.searchParams];
      break;
    }
    default:
      throw new Error(`${key}: the IDOR sweep has no credential for auth "${route.auth}"`);
  }
  return o;
}

async function send(o: Outgoing) {
  cases++;
  const res = await exports.default.fetch(await buildRequest(o));
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return { res, text };
}

describe("IDOR sweep: tenant B with tenant A's ids", () => {
  it("classifies every route of the app (test/sweeps/route-table.ts)", () => {
    expect(keys.filter((k) => !(k in ROUTES))).toEqual([]);
    expect(foreignKeys.length).toBeGreaterThan(0);
  });

  it.each(foreignKeys)("%s: refused (404, or 403 where SPEC says), no data, nothing changed", async (key) => {
    const idor = ROUTES[key]!.idor as Foreign;
    const before = await snapshot();
    const { res, text } = await send(await requestAs(key, b, a));
    const label = `${key} as tenant B with tenant A's ids → ${res.status} ${text.slice(0, 300)}`;
    expect(res.status, label).toBe(idor.expect);
    if (!key.startsWith("HEAD ")) {
      expect(res.headers.get("Content-Type"), label).toMatch(/^application\/json/);
      expect(typeof (JSON.parse(text) as { error?: unknown }).error, label).toBe("string");
    }
    expect(text, `${label}: leaks tenant A's data`).not.toContain(a.marker);
    expect(await snapshot(), `${label}: changed the database`).toEqual(before);
    // the control: the owner's own request is not refused, so the refusal above is about the tenant, not the id
    if (key.startsWith("GET ") || key.startsWith("HEAD ")) {
      const own = await send(await requestAs(key, a, a));
      expect([403, 404], `${key} as tenant A → ${own.res.status} ${own.text.slice(0, 200)}`).not.toContain(
        own.res.status,
      );
    }
    swept.add(key);
  });

  it.each(listKeys)("%s: tenant B's list, even filtered by tenant A's ids, shows none of A's rows", async (key) => {
    const [method, pattern] = key.split(" ") as [string, string];
    const route = ROUTES[key]!;
    const auth = route.auth === "admin" ? env.ADMIN_TOKEN : b.t.token;
    const path = fillPath(pattern, { id: b.ids.customer });
    const query: [string, string][] = [
      ["campaignId", a.ids.campaign],
      ["phoneNumber", a.ids.repNumber],
    ];
    const { res, text } = await send({ method, path, query, headers: [["Authorization", `Bearer ${auth}`]] });
    expect(res.status, `${key} → ${text.slice(0, 200)}`).toBeLessThan(500);
    expect(text, `${key}: tenant B's list shows tenant A's data`).not.toContain(a.marker);
    const plain = await send({ method, path, headers: [["Authorization", `Bearer ${auth}`]] });
    expect(plain.res.status, `${key} → ${plain.text.slice(0, 200)}`).toBe(200);
    expect(plain.text, `${key}: tenant B's list shows tenant A's data`).not.toContain(a.marker);
    listed.add(key);
  });
});
