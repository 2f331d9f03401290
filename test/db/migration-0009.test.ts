import { migrationTestDb } from "./migration-db";
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

/** An empty database of this file's own: the schema as it stood before 0009, old rows, then 0009. */
const db = migrationTestDb;
const before = env.TEST_MIGRATIONS.filter((m) => m.name < "0009");
const m0009 = env.TEST_MIGRATIONS.filter((m) => m.name.startsWith("0009"));
const rows = async <T>(sql: string) => (await db.prepare(sql).all<T>()).results;

describe("migration 0009: assistant tools, turn detection, tool-call details", () => {
  it("keeps assistants and tool calls written before it, with the new columns empty; the new table holds its rules", async () => {
    await applyD1Migrations(db, before);
    await db.batch([
      db.prepare("INSERT INTO customers (name, created_at, updated_at) VALUES ('Old', 't', 't')"),
      db.prepare(
        `INSERT INTO assistants (customer_id, name, instructions, voice, created_at, updated_at)
         VALUES (1, 'Desk', 'Be brief.', 'cedar', 't', 't')`,
      ),
      db.prepare(
        `INSERT INTO calls (id, customer_id, carrier, direction, state, created_at, updated_at)
         VALUES ('vc1', 1, 'twilio', 'Inbound', 'Completed', '2025-01-02T00:00:00.000Z', 't')`,
      ),
      db.prepare(
        "INSERT INTO tool_calls (call_id, customer_id, name, success, created_at) VALUES ('vc1', 1, 'lookup', 1, '2025-01-02T00:00:01.000Z')",
      ),
    ]);
    expect(m0009).toHaveLength(1);
    await applyD1Migrations(db, m0009);

    expect(
      await rows(
        "SELECT name, voice, turn_detection_json, noise_reduction, transfer_number, transfer_message FROM assistants",
      ),
    ).toEqual([
      {
        name: "Desk",
        voice: "cedar",
        turn_detection_json: null,
        noise_reduction: null,
        transfer_number: null,
        transfer_message: null,
      },
    ]);
    expect(await rows("SELECT name, success, arguments, latency_ms, error FROM tool_calls")).toEqual([
      { name: "lookup", success: 1, arguments: null, latency_ms: null, error: null },
    ]);
    // The day counter trigger of 0004 still counts tool calls written with the new columns.
    await db
      .prepare(
        `INSERT INTO tool_calls (call_id, customer_id, name, success, arguments, latency_ms, error, created_at)
         VALUES ('vc1', 1, 'lookup', 0, '{}', 12, 'HTTP 500', '2025-01-02T00:00:02.000Z')`,
      )
      .run();
    expect(await rows("SELECT day, n, succeeded FROM tool_call_day_counts")).toEqual([
      { day: "2025-01-02", n: 2, succeeded: 1 },
    ]);

    await expect(db.prepare("UPDATE assistants SET noise_reduction = 'medium'").run()).rejects.toThrow(/CHECK/);
    const tool = (name: string, method = "POST") =>
      db
        .prepare(
          `INSERT INTO assistant_tools (customer_id, assistant_id, name, description, parameters_json, url, method, timeout_ms, created_at, updated_at)
           VALUES (1, 1, ?1, 'd', '{"type":"object"}', 'https://x.example', ?2, 5000, 't', 't')`,
        )
        .bind(name, method)
        .run();
    await tool("lookup");
    expect(await rows("SELECT headers_json FROM assistant_tools")).toEqual([{ headers_json: "{}" }]);
    await expect(tool("lookup")).rejects.toThrow(/UNIQUE/);
    await expect(tool("other", "TRACE")).rejects.toThrow(/CHECK/);
  });
});
