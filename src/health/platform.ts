import type { Env } from "../env";
import { type Check, fail, guarded, pass } from "./check";
import { BUNDLED_MIGRATIONS, MIGRATIONS_TABLE } from "./migration-list";

interface BindingKind {
  what: string;
  /** The wrangler.toml table that declares it, for the fix. */
  table: string;
  present: (v: unknown) => boolean;
}

const hasMethod = (name: string) => (v: unknown) =>
  typeof v === "object" && v !== null && typeof (v as Record<string, unknown>)[name] === "function";

const D1: BindingKind = { what: "a D1 database", table: "[[d1_databases]]", present: hasMethod("prepare") };
const R2: BindingKind = { what: "an R2 bucket", table: "[[r2_buckets]]", present: hasMethod("head") };
const QUEUE: BindingKind = { what: "a queue producer", table: "[[queues.producers]]", present: hasMethod("send") };
const DO: BindingKind = {
  what: "a Durable Object namespace",
  table: "[[durable_objects.bindings]]",
  present: hasMethod("idFromName"),
};

/** Every Env member that is neither a string (vars, secrets) nor a list (test-only migrations): the bindings. */
type BindingName = {
  [K in keyof Env]-?: NonNullable<Env[K]> extends string | readonly unknown[] ? never : K;
}[keyof Env];

/**
 * One entry per binding of the generated Env: a binding added to wrangler.toml (and so to Env, by
 * `npm run gen:types`) does not type-check until it is listed here with a way to tell it is there.
 */
const BINDINGS = {
  DB: D1,
  RECORDINGS: R2,
  CALLS: DO,
  TICKET_RECORDERS: DO,
  RATE_LIMITER: DO,
  CAMPAIGNS: DO,
  RINGCENTRAL_AUTH: DO,
  RINGCENTRAL_SESSIONS: DO,
  POST_CALL: QUEUE,
} satisfies Record<BindingName, BindingKind>;

const REDEPLOY = "npm run deploy (wrangler.toml declares it; a Worker uploaded some other way may lack it)";

export function bindingChecks(env: Env): Check[] {
  return Object.entries(BINDINGS).map(([name, kind]) => {
    const value: unknown = env[name as BindingName];
    return kind.present(value)
      ? pass(`binding.${name}`, `${kind.what} is bound`)
      : fail(
          `binding.${name}`,
          value === undefined ? `${name} is not bound` : `${name} is bound but is not ${kind.what}`,
          `Declare ${name} in wrangler.toml ${kind.table} and deploy: ${REDEPLOY}`,
        );
  });
}

export const d1Check = (env: Env) =>
  guarded(
    "d1.query",
    "Check the DB binding's database_id in wrangler.toml (npm run setup:remote writes it)",
    async () => {
      const row = await env.DB.prepare("SELECT 1 AS one").first<{ one: number }>();
      return [
        row?.one === 1
          ? pass("d1.query", "SELECT 1 answered")
          : fail("d1.query", "SELECT 1 answered nothing", "Check the DB binding's database in the dashboard"),
      ];
    },
  );

export const r2Check = (env: Env) =>
  guarded(
    "r2.head",
    "Check the RECORDINGS binding's bucket_name in wrangler.toml and that the bucket exists",
    async () => {
      // A key that never exists: the answer (null) proves the bucket is reachable without touching a recording.
      await env.RECORDINGS.head(".health/probe");
      return [pass("r2.head", "a HEAD on the recordings bucket answered")];
    },
  );

const MIGRATE = "npm run db:migrate:remote (apply migrations before deploying code that needs them: docs/deploy.md)";

/** The migrations bundled with this Worker (a generated list) against the ones D1 recorded as applied. */
export const migrationsCheck = (env: Env) =>
  guarded("d1.migrations", MIGRATE, async () => {
    const table = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1")
      .bind(MIGRATIONS_TABLE)
      .first<{ name: string }>();
    if (!table) return [fail("d1.migrations", `no ${MIGRATIONS_TABLE} table: no migration was ever applied`, MIGRATE)];
    const { results } = await env.DB.prepare(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`).all<{
      name: string;
    }>();
    const applied = new Set(results.map((r) => r.name));
    const pending = BUNDLED_MIGRATIONS.filter((m) => !applied.has(m));
    const newer = [...applied].filter((m) => !BUNDLED_MIGRATIONS.includes(m));
    const last = BUNDLED_MIGRATIONS.at(-1) ?? "(none)";
    if (pending.length) {
      return [fail("d1.migrations", `${pending.length} not applied: ${pending.join(", ")}`, MIGRATE)];
    }
    // After a rollback the database is ahead of the code (docs/deploy.md, "Rolling back"): reported, not failed.
    const ahead = newer.length ? `; the database also has ${newer.join(", ")}, newer than this Worker` : "";
    return [pass("d1.migrations", `all ${BUNDLED_MIGRATIONS.length} applied (last ${last})${ahead}`)];
  });
