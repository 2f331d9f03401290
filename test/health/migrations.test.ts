import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { BUNDLED_MIGRATIONS } from "../../src/health/migration-list";
import { failing, health, line } from "./helpers";

// This file changes its own D1's record of applied migrations (storage is per test file) and restores it after each test.
const last = BUNDLED_MIGRATIONS.at(-1) as string;
const restore: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const undo of restore.splice(0).reverse()) await undo();
});

describe("d1.migrations", () => {
  it("lists the same migrations wrangler would apply (the generated list is current)", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM d1_migrations ORDER BY id").all<{ name: string }>();
    expect(results.map((r) => r.name)).toEqual([...BUNDLED_MIGRATIONS]);
    expect(env.TEST_MIGRATIONS.map((m) => `${m.name}`)).toEqual([...BUNDLED_MIGRATIONS]);
  });

  it("fails naming the migration that was not applied", async () => {
    await env.DB.prepare("DELETE FROM d1_migrations WHERE name = ?1").bind(last).run();
    restore.push(() => env.DB.prepare("INSERT INTO d1_migrations (name) VALUES (?1)").bind(last).run());
    const r = await health();
    expect(r.status).toBe(503);
    expect(failing(r.body).map((c) => c.name)).toEqual(["d1.migrations"]);
    expect(line(r.body, "d1.migrations")).toMatchObject({
      detail: `1 not applied: ${last}`,
      fix: expect.stringMatching(/db:migrate:remote/),
    });
  });

  it("fails when no migration was ever applied", async () => {
    await env.DB.prepare("ALTER TABLE d1_migrations RENAME TO d1_migrations_away").run();
    restore.push(() => env.DB.prepare("ALTER TABLE d1_migrations_away RENAME TO d1_migrations").run());
    const r = await health();
    expect(failing(r.body).map((c) => c.name)).toEqual(["d1.migrations"]);
    expect(line(r.body, "d1.migrations")?.detail).toBe("no d1_migrations table: no migration was ever applied");
  });

  it("passes, saying so, when the database is ahead of the Worker (after a rollback)", async () => {
    await env.DB.prepare("INSERT INTO d1_migrations (name) VALUES ('9999_from_the_future.sql')").run();
    restore.push(() => env.DB.prepare("DELETE FROM d1_migrations WHERE name = '9999_from_the_future.sql'").run());
    const r = await health();
    expect(r.status).toBe(200);
    expect(line(r.body, "d1.migrations")?.detail).toBe(
      `all ${BUNDLED_MIGRATIONS.length} applied (last ${last}); the database also has 9999_from_the_future.sql, newer than this Worker`,
    );
  });
});
