-- Call data (issue 5): what the voice-call list, conversations and analytics need to stay index-only at
-- 1 M calls per tenant. Every range below is on calls.created_at (always set, ISO-8601 UTC, sortable).

-- Whether a recording exists for the call, kept by triggers so analytics never probe `recordings` per row
-- and so every code path that links a recording (upload, Twilio, live finalize) keeps it true without knowing.
ALTER TABLE calls ADD COLUMN has_recording INTEGER NOT NULL DEFAULT 0;

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

-- The conversation status (seed 003: active | completed | failed) of a call state, indexable.
ALTER TABLE calls ADD COLUMN conversation_status TEXT GENERATED ALWAYS AS (
  CASE
    WHEN state IN ('Queued', 'Ringing', 'InProgress') THEN 'active'
    WHEN state = 'Completed' THEN 'completed'
    ELSE 'failed'
  END
) VIRTUAL;

-- Analytics: one covering range scan per query (totals, averages, sentiment, recordings, day/hour buckets).
CREATE INDEX calls_analytics_created ON calls(customer_id, created_at, state, duration_seconds, sentiment, has_recording);
-- List: state and direction together, counted without touching the table.
CREATE INDEX calls_state_direction ON calls(customer_id, state, direction, created_at DESC, id DESC);
-- List: a campaign with state (and direction), counted without touching the table.
CREATE INDEX calls_campaign_state ON calls(customer_id, campaign_id, state, direction, created_at DESC, id DESC);
-- Conversations filtered by status.
CREATE INDEX calls_conversation_status ON calls(customer_id, conversation_status, created_at DESC, id DESC);
-- Tool-call success rate over a range, index-only.
CREATE INDEX tool_calls_success ON tool_calls(customer_id, created_at, success);

-- The scale each answer was given on, so the survey score is recomputed in SQL in the same transaction.
ALTER TABLE survey_responses ADD COLUMN scale_max INTEGER;

-- Per-tenant, per-UTC-day call counts, kept by triggers on calls, so totals and analytics over whole days (and
-- all time) sum a few dozen rows per day instead of counting a million calls. Ranges with a time of day count
-- the calls themselves. sentiment_key is '' for unknown.
CREATE TABLE call_day_counts (
  customer_id INTEGER NOT NULL,
  day TEXT NOT NULL,
  state TEXT NOT NULL,
  direction TEXT NOT NULL,
  sentiment_key TEXT NOT NULL,
  has_recording INTEGER NOT NULL,
  n INTEGER NOT NULL,
  duration_sum INTEGER NOT NULL,
  duration_n INTEGER NOT NULL,
  PRIMARY KEY (customer_id, day, state, direction, sentiment_key, has_recording)
) WITHOUT ROWID;

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

-- The same for tool calls (by the tool call's own UTC day), for tool_call_success_rate.
CREATE TABLE tool_call_day_counts (
  customer_id INTEGER NOT NULL,
  day TEXT NOT NULL,
  n INTEGER NOT NULL,
  succeeded INTEGER NOT NULL,
  PRIMARY KEY (customer_id, day)
) WITHOUT ROWID;

CREATE TRIGGER tool_calls_day_count_insert AFTER INSERT ON tool_calls
BEGIN
  INSERT INTO tool_call_day_counts (customer_id, day, n, succeeded)
  VALUES (NEW.customer_id, substr(NEW.created_at, 1, 10), 1, NEW.success <> 0)
  ON CONFLICT DO UPDATE SET n = n + 1, succeeded = succeeded + excluded.succeeded;
END;

CREATE TRIGGER tool_calls_day_count_update AFTER UPDATE OF customer_id, created_at, success ON tool_calls
BEGIN
  UPDATE tool_call_day_counts SET n = n - 1, succeeded = succeeded - (OLD.success <> 0)
   WHERE customer_id = OLD.customer_id AND day = substr(OLD.created_at, 1, 10);
  INSERT INTO tool_call_day_counts (customer_id, day, n, succeeded)
  VALUES (NEW.customer_id, substr(NEW.created_at, 1, 10), 1, NEW.success <> 0)
  ON CONFLICT DO UPDATE SET n = n + 1, succeeded = succeeded + excluded.succeeded;
END;

CREATE TRIGGER tool_calls_day_count_delete AFTER DELETE ON tool_calls
BEGIN
  UPDATE tool_call_day_counts SET n = n - 1, succeeded = succeeded - (OLD.success <> 0)
   WHERE customer_id = OLD.customer_id AND day = substr(OLD.created_at, 1, 10);
END;
