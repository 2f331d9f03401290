import { migrationTestDb } from "./migration-db";
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

/** An empty database of its own: each test builds the schema as it stood at some migration, then moves on. */
const db = migrationTestDb;
const upTo = (name: string) => env.TEST_MIGRATIONS.filter((m) => m.name <= name);
const rows = async <T>(sql: string) => (await db.prepare(sql).all<T>()).results;

describe("migration 0005: carrier accounts, calls without a fixed carrier list", () => {
  it("carries tenants and calls written by the old schema over losslessly, triggers and foreign keys intact", async () => {
    await applyD1Migrations(db, upTo("0004_call_data.sql"));
    const customer = (name: string, sid: string, extra: string) =>
      db.prepare(
        `INSERT INTO customers (name, twilio_account_sid, twilio_auth_token_enc, twilio_api_key_sid, twilio_api_key_secret_enc,
           twilio_twiml_app_sid, twilio_region, twilio_edge, twilio_extra_twiml_app_sids, phone_stream_url, openai_api_key_enc,
           openai_transcription_active, ai_fallback, created_at, updated_at)
         VALUES (?1, ?2, 'v1:tok-' || ?1, 'SK' || ?1, 'v1:sec-' || ?1, 'AP' || ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 't0', 't1')`,
      );
    await db.batch([
      customer("Old", "AC01", "").bind(
        "Old",
        "AC01",
        "ie1",
        "dublin",
        '["AP02","AP03"]',
        "wss://x.example/streams",
        "v1:oa",
        0,
        "dial",
      ),
      customer("Bare", "AC02", "").bind("Bare", "AC02", null, null, "[]", null, null, 1, "apology"),
      db.prepare(
        `INSERT INTO tickets (customer_id, channel, subject, created_at, updated_at) VALUES (1, 'phone', 's', 't', 't')`,
      ),
      db.prepare(
        `INSERT INTO calls (id, customer_id, carrier, direction, state, mode, created_at, updated_at, ticket_id, duration_seconds, call_sid, outcome, sentiment)
         VALUES ('vc1', 1, 'twilio', 'Inbound', 'Completed', 'assistant', '2025-01-01T10:00:00.000Z', 't', 1, 30, 'CA01', 'ok', 'positive')`,
      ),
      db.prepare(
        `INSERT INTO transcript_segments (call_id, customer_id, role, sender_type, text, offset_ms, created_at) VALUES ('vc1', 1, 'customer', 'EndUser', 'hi', 0, 't')`,
      ),
      db.prepare(
        `INSERT INTO recordings (id, customer_id, call_id, r2_key, duration_ms, channels, source, created_at) VALUES ('rec1', 1, 'vc1', 'k1', 1, 2, 'live', 't')`,
      ),
      db.prepare(
        `INSERT INTO reps (customer_id, name, identity, created_at, updated_at) VALUES (2, 'R', 'r', 't', 't')`,
      ),
    ]);
    const countsBefore = await rows("SELECT * FROM call_day_counts ORDER BY state, has_recording");

    await applyD1Migrations(db, upTo("0005_carrier_accounts.sql"));

    expect(
      await rows(
        "SELECT customer_id, carrier, account_ref, settings_json, secrets_json, created_at, updated_at FROM carrier_accounts ORDER BY customer_id",
      ),
    ).toEqual([
      {
        customer_id: 1,
        carrier: "twilio",
        account_ref: "AC01",
        created_at: "t0",
        updated_at: "t1",
        settings_json: JSON.stringify({
          apiKeySid: "SKOld",
          twimlAppSid: "APOld",
          extraTwimlAppSids: ["AP02", "AP03"],
          region: "ie1",
          edge: "dublin",
        }),
        secrets_json: JSON.stringify({ authToken: "v1:tok-Old", apiKeySecret: "v1:sec-Old" }),
      },
      {
        customer_id: 2,
        carrier: "twilio",
        account_ref: "AC02",
        created_at: "t0",
        updated_at: "t1",
        settings_json: JSON.stringify({
          apiKeySid: "SKBare",
          twimlAppSid: "APBare",
          extraTwimlAppSids: [],
          region: null,
          edge: null,
        }),
        secrets_json: JSON.stringify({ authToken: "v1:tok-Bare", apiKeySecret: "v1:sec-Bare" }),
      },
    ]);
    // The columns 0005 rebuilt (later migrations add their own, checked by their own tests).
    const customerColumns =
      "id, name, phone_stream_url, openai_api_key_enc, openai_realtime_model, openai_transcription_model, " +
      "openai_transcription_active, ai_fallback, created_at, updated_at";
    expect(await rows(`SELECT ${customerColumns} FROM customers ORDER BY id`)).toEqual([
      {
        id: 1,
        name: "Old",
        phone_stream_url: "wss://x.example/streams",
        openai_api_key_enc: "v1:oa",
        openai_realtime_model: "gpt-realtime",
        openai_transcription_model: "gpt-4o-transcribe",
        openai_transcription_active: 0,
        ai_fallback: "dial",
        created_at: "t0",
        updated_at: "t1",
      },
      {
        id: 2,
        name: "Bare",
        phone_stream_url: null,
        openai_api_key_enc: null,
        openai_realtime_model: "gpt-realtime",
        openai_transcription_model: "gpt-4o-transcribe",
        openai_transcription_active: 1,
        ai_fallback: "apology",
        created_at: "t0",
        updated_at: "t1",
      },
    ]);
    expect(
      await rows(
        "SELECT id, carrier, mode, call_sid, outcome, sentiment, ticket_id, has_recording, conversation_status FROM calls",
      ),
    ).toEqual([
      {
        id: "vc1",
        carrier: "twilio",
        mode: "assistant",
        call_sid: "CA01",
        outcome: "ok",
        sentiment: "positive",
        ticket_id: 1,
        has_recording: 1,
        conversation_status: "completed",
      },
    ]);
    expect(await rows("SELECT * FROM call_day_counts ORDER BY state, has_recording")).toEqual(countsBefore);

    // The rebuilt tables behave as before: ids continue, triggers keep the counters, foreign keys hold.
    const next = await db
      .prepare("INSERT INTO customers (name, created_at, updated_at) VALUES ('New', 't', 't') RETURNING id")
      .first<{ id: number }>();
    expect(next?.id).toBe(3);
    await db
      .prepare(
        `INSERT INTO calls (id, customer_id, carrier, direction, state, created_at, updated_at) VALUES ('vc2', 3, 'telnyx', 'Outbound', 'Busy', '2025-01-02T00:00:00.000Z', 't')`,
      )
      .run();
    await db
      .prepare(
        `INSERT INTO recordings (id, customer_id, call_id, r2_key, duration_ms, channels, source, created_at) VALUES ('rec2', 3, 'vc2', 'k2', 1, 2, 'live', 't')`,
      )
      .run();
    expect(await rows("SELECT has_recording FROM calls WHERE id = 'vc2'")).toEqual([{ has_recording: 1 }]);
    expect(
      await rows(
        "SELECT day, state, has_recording, n FROM call_day_counts WHERE customer_id = 3 ORDER BY has_recording",
      ),
    ).toEqual([
      { day: "2025-01-02", state: "Busy", has_recording: 0, n: 0 },
      { day: "2025-01-02", state: "Busy", has_recording: 1, n: 1 },
    ]);
    await expect(
      db
        .prepare(
          `INSERT INTO calls (id, customer_id, carrier, direction, state, created_at, updated_at) VALUES ('vc3', 99, 'twilio', 'Inbound', 'Queued', 't', 't')`,
        )
        .run(),
    ).rejects.toThrow(/FOREIGN KEY/);
    await expect(
      db
        .prepare(
          `INSERT INTO carrier_accounts (customer_id, carrier, account_ref, created_at, updated_at) VALUES (3, 'twilio', 'AC01', 't', 't')`,
        )
        .run(),
    ).rejects.toThrow(/UNIQUE/);
  });
});
