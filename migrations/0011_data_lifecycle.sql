-- Data lifecycle (docs/data-lifecycle.md): deletion, retention, and post-call work on a queue.

-- A customer being deleted: hidden from every lookup at once, purged by a queued job (src/lifecycle/purge.ts).
ALTER TABLE customers ADD COLUMN deleted_at TEXT;
-- Days after which the tenant's recordings and transcripts are deleted by the daily cron; NULL keeps them.
ALTER TABLE customers ADD COLUMN retention_days INTEGER;

-- Whether a call's post-call sentiment is still owed: 'pending' from the moment it is queued until a job
-- settles it (done, skipped, failed), so the sweep can find work a lost message left undone.
ALTER TABLE calls ADD COLUMN sentiment_status TEXT;
CREATE INDEX calls_sentiment_pending ON calls(sentiment_status, updated_at) WHERE sentiment_status = 'pending';
CREATE INDEX recordings_transcription_pending ON recordings(transcription_status, created_at) WHERE transcription_status = 'pending';

-- What retention scans: per tenant, by age.
CREATE INDEX transcript_segments_customer ON transcript_segments(customer_id, created_at);
CREATE INDEX ticket_messages_customer ON ticket_messages(customer_id, created_at);
CREATE INDEX webhook_events_created ON webhook_events(created_at);
CREATE INDEX phone_login_codes_expiry ON phone_login_codes(expires_at);

-- Which call a ticket message was transcribed from (live transcripts, call recordings), so deleting the call
-- deletes its transcript on the ticket too. Messages written before this migration carry NULL.
ALTER TABLE ticket_messages ADD COLUMN call_id TEXT;
CREATE INDEX ticket_messages_call ON ticket_messages(call_id) WHERE call_id IS NOT NULL;

-- Jobs the queue gave up on (the dead-letter queue's consumer keeps them here); the daily cron tries those still
-- worth trying again, so nothing acknowledged is silently dropped.
CREATE TABLE failed_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER,
  kind TEXT NOT NULL,
  job_json TEXT NOT NULL,
  failed_at TEXT NOT NULL,
  retries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX failed_jobs_failed ON failed_jobs(failed_at);
