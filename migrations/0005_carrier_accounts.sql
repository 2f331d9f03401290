-- Carriers become pluggable (docs/architecture.md): a tenant's credentials for each carrier live in
-- carrier_accounts, one row per (customer, carrier), instead of fixed twilio_* columns on customers; and
-- calls.carrier / calls.mode are no longer limited by a CHECK listing today's values (the code's types are).
-- Both tables are rebuilt: copied aside, dropped, created anew under their own name, filled back, and the copy
-- dropped. Not the usual create-copy-drop-rename: rows of other tables point at them, and SQLite counts those as
-- violations when the old table is dropped and only uncounts them when parent rows are inserted again (a
-- rename would leave them counted, and D1 refuses the commit). With the foreign keys deferred to the commit,
-- every child finds its parent again by then.
PRAGMA defer_foreign_keys = true;

CREATE TABLE carrier_accounts (
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  carrier TEXT NOT NULL,
  -- the carrier's own name for the account, by which its webhooks find the tenant (Twilio AccountSid, …)
  account_ref TEXT,
  -- non-secret settings, a JSON object (the carrier's module in src/carriers/<name>/account.ts reads it)
  settings_json TEXT NOT NULL DEFAULT '{}',
  -- secrets, a JSON object whose values are each encrypted (AES-256-GCM, `v1:` + base64), never plaintext
  secrets_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (customer_id, carrier)
);
CREATE UNIQUE INDEX carrier_accounts_ref ON carrier_accounts(carrier, account_ref) WHERE account_ref IS NOT NULL;

-- Existing tenants' Twilio accounts, losslessly: the encrypted values move as they are (same key, same format).
INSERT INTO carrier_accounts (customer_id, carrier, account_ref, settings_json, secrets_json, created_at, updated_at)
SELECT id, 'twilio', twilio_account_sid,
       json_object('apiKeySid', twilio_api_key_sid, 'twimlAppSid', twilio_twiml_app_sid,
                   'extraTwimlAppSids', json(twilio_extra_twiml_app_sids), 'region', twilio_region, 'edge', twilio_edge),
       json_object('authToken', twilio_auth_token_enc, 'apiKeySecret', twilio_api_key_secret_enc),
       created_at, updated_at
  FROM customers;

CREATE TABLE customers_before AS SELECT * FROM customers;
DROP TABLE customers;
-- Customers were never deleted before this migration, so max(id) is where the id sequence stood.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  phone_stream_url TEXT,
  openai_api_key_enc TEXT,
  openai_realtime_model TEXT NOT NULL DEFAULT 'gpt-realtime',
  openai_transcription_model TEXT NOT NULL DEFAULT 'gpt-4o-transcribe',
  openai_transcription_active INTEGER NOT NULL DEFAULT 1,
  -- what a live call does when OpenAI refuses or drops: 'dial' (the rep/receiver) or 'apology'
  ai_fallback TEXT NOT NULL DEFAULT 'apology',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO customers (id, name, phone_stream_url, openai_api_key_enc, openai_realtime_model, openai_transcription_model,
                       openai_transcription_active, ai_fallback, created_at, updated_at)
SELECT id, name, phone_stream_url, openai_api_key_enc, openai_realtime_model, openai_transcription_model,
       openai_transcription_active, ai_fallback, created_at, updated_at
  FROM customers_before;
DROP TABLE customers_before;

CREATE TABLE calls_before AS SELECT * FROM calls;
-- The triggers on recordings name calls; they go while calls is rebuilt and come back unchanged at the end.
DROP TRIGGER recordings_mark_call_insert;
DROP TRIGGER recordings_mark_call_update;
DROP TRIGGER recordings_unmark_call_delete;
-- Dropping calls drops its indexes and its day-counter triggers; no trigger fires for the drop or the copy back,
-- so call_day_counts stays as it is, which is right: the calls are the same.
DROP TABLE calls;
CREATE TABLE calls (
  id TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  -- the carrier the call runs on: twilio, telnyx, ringcentral, webrtc, … (src/live/carrier.ts)
  carrier TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('Inbound', 'Outbound')),
  -- Queued, Ringing, InProgress, Completed, Busy, NoAnswer, Failed, Canceled
  state TEXT NOT NULL,
  -- plain, record, translate, assistant, …
  mode TEXT NOT NULL DEFAULT 'plain',
  from_number TEXT,
  to_number TEXT,
  rep_id INTEGER REFERENCES reps(id),
  assistant_id INTEGER REFERENCES assistants(id),
  campaign_id INTEGER REFERENCES campaigns(id),
  ticket_id INTEGER REFERENCES tickets(id),
  start_time TEXT,
  end_time TEXT,
  duration_seconds INTEGER,
  talk_time_seconds INTEGER,
  outcome TEXT,
  -- positive | neutral | negative; NULL = unknown (never guessed)
  sentiment TEXT CHECK (sentiment IS NULL OR sentiment IN ('positive', 'neutral', 'negative')),
  call_sid TEXT,
  parent_call_sid TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  has_recording INTEGER NOT NULL DEFAULT 0,
  conversation_status TEXT GENERATED ALWAYS AS (
    CASE
      WHEN state IN ('Queued', 'Ringing', 'InProgress') THEN 'active'
      WHEN state = 'Completed' THEN 'completed'
      ELSE 'failed'
    END
  ) VIRTUAL
);
INSERT INTO calls (id, customer_id, carrier, direction, state, mode, from_number, to_number, rep_id, assistant_id,
                   campaign_id, ticket_id, start_time, end_time, duration_seconds, talk_time_seconds, outcome, sentiment,
                   call_sid, parent_call_sid, created_at, updated_at, has_recording)
SELECT id, customer_id, carrier, direction, state, mode, from_number, to_number, rep_id, assistant_id,
       campaign_id, ticket_id, start_time, end_time, duration_seconds, talk_time_seconds, outcome, sentiment,
       call_sid, parent_call_sid, created_at, updated_at, has_recording
  FROM calls_before;
DROP TABLE calls_before;

CREATE UNIQUE INDEX calls_carrier_sid ON calls(carrier, call_sid) WHERE call_sid IS NOT NULL;
CREATE INDEX calls_parent_sid ON calls(parent_call_sid) WHERE parent_call_sid IS NOT NULL;
CREATE INDEX calls_list ON calls(customer_id, created_at DESC, id DESC);
CREATE INDEX calls_state ON calls(customer_id, state, created_at DESC, id DESC);
CREATE INDEX calls_direction ON calls(customer_id, direction, created_at DESC, id DESC);
CREATE INDEX calls_campaign ON calls(customer_id, campaign_id, created_at DESC, id DESC);
CREATE INDEX calls_analytics ON calls(customer_id, start_time, state, duration_seconds, sentiment);
CREATE INDEX calls_analytics_created ON calls(customer_id, created_at, state, duration_seconds, sentiment, has_recording);
CREATE INDEX calls_state_direction ON calls(customer_id, state, direction, created_at DESC, id DESC);
CREATE INDEX calls_campaign_state ON calls(customer_id, campaign_id, state, direction, created_at DESC, id DESC);
CREATE INDEX calls_conversation_status ON calls(customer_id, conversation_status, created_at DESC, id DESC);

-- The day counters' triggers lived on the old table (migrations/0004_call_data.sql); the same, on the new one.
CREATE TRIGGER calls_day_count_insert AFTER INSERT ON calls
BEGIN
  INSERT INTO call_day_counts (customer_id, day, state, direction, sentiment_key, has_recording, n, duration_sum, duration_n)
  VALUES (NEW.customer_id, substr(NEW.created_at, 1, 10), NEW.state, NEW.direction, IFNULL(NEW.sentiment, ''), NEW.has_recording,
          1, IFNULL(NEW.duration_seconds, 0), NEW.duration_seconds IS NOT NULL)
  ON CONFLICT DO UPDATE SET n = n + 1, duration_sum = duration_sum + excluded.duration_sum, duration_n = duration_n + excluded.duration_n;
END;

CREATE TRIGGER calls_day_count_update
AFTER UPDATE OF customer_id, created_at, state, direction, sentiment, has_recording, duration_seconds ON calls
BEGIN
  UPDATE call_day_counts
     SET n = n - 1, duration_sum = duration_sum - IFNULL(OLD.duration_seconds, 0), duration_n = duration_n - (OLD.duration_seconds IS NOT NULL)
   WHERE customer_id = OLD.customer_id AND day = substr(OLD.created_at, 1, 10) AND state = OLD.state AND direction = OLD.direction
     AND sentiment_key = IFNULL(OLD.sentiment, '') AND has_recording = OLD.has_recording;
  INSERT INTO call_day_counts (customer_id, day, state, direction, sentiment_key, has_recording, n, duration_sum, duration_n)
  VALUES (NEW.customer_id, substr(NEW.created_at, 1, 10), NEW.state, NEW.direction, IFNULL(NEW.sentiment, ''), NEW.has_recording,
          1, IFNULL(NEW.duration_seconds, 0), NEW.duration_seconds IS NOT NULL)
  ON CONFLICT DO UPDATE SET n = n + 1, duration_sum = duration_sum + excluded.duration_sum, duration_n = duration_n + excluded.duration_n;
END;

CREATE TRIGGER calls_day_count_delete AFTER DELETE ON calls
BEGIN
  UPDATE call_day_counts
     SET n = n - 1, duration_sum = duration_sum - IFNULL(OLD.duration_seconds, 0), duration_n = duration_n - (OLD.duration_seconds IS NOT NULL)
   WHERE customer_id = OLD.customer_id AND day = substr(OLD.created_at, 1, 10) AND state = OLD.state AND direction = OLD.direction
     AND sentiment_key = IFNULL(OLD.sentiment, '') AND has_recording = OLD.has_recording;
END;

CREATE TRIGGER recordings_mark_call_insert AFTER INSERT ON recordings WHEN NEW.call_id IS NOT NULL
BEGIN
  UPDATE calls SET has_recording = 1 WHERE id = NEW.call_id AND customer_id = NEW.customer_id;
END;

CREATE TRIGGER recordings_mark_call_update AFTER UPDATE OF call_id ON recordings
BEGIN
  UPDATE calls SET has_recording = 1 WHERE id = NEW.call_id AND customer_id = NEW.customer_id;
  UPDATE calls SET has_recording = EXISTS (SELECT 1 FROM recordings WHERE call_id = OLD.call_id)
   WHERE id = OLD.call_id AND customer_id = OLD.customer_id AND OLD.call_id IS NOT NEW.call_id;
END;

CREATE TRIGGER recordings_unmark_call_delete AFTER DELETE ON recordings WHEN OLD.call_id IS NOT NULL
BEGIN
  UPDATE calls SET has_recording = EXISTS (SELECT 1 FROM recordings WHERE call_id = OLD.call_id)
   WHERE id = OLD.call_id AND customer_id = OLD.customer_id;
END;
