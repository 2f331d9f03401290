-- Calls that do business (issue 15, docs/campaigns.md): outbound AI calls placed through the API, campaigns that
-- dial a list of numbers, answering-machine detection, and inbound calls that ring a rep's browser first.

-- The caller's own data about an outbound call (a JSON object, returned as given), and what Twilio's answering
-- machine detection said of the answered leg (human, machine_start, machine_end_beep, …, fax, unknown).
ALTER TABLE calls ADD COLUMN metadata_json TEXT;
ALTER TABLE calls ADD COLUMN answered_by TEXT;

-- The tenant's time zone (IANA name), in which campaigns' calling hours are read.
ALTER TABLE customers ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- An inbound call to a number assigned to a rep (and no assistant) rings the rep's browser this long; then
-- 'voicemail' (the caller leaves a message on the phone ticket) or 'assistant' (rep_no_answer_assistant_id answers).
ALTER TABLE customers ADD COLUMN rep_ring_seconds INTEGER NOT NULL DEFAULT 20;
ALTER TABLE customers ADD COLUMN rep_no_answer TEXT NOT NULL DEFAULT 'voicemail';
ALTER TABLE customers ADD COLUMN rep_no_answer_assistant_id INTEGER REFERENCES assistants(id);

-- What a campaign dials with: the assistant that talks, the caller ID it calls from, whether it runs
-- (draft → running ⇄ paused → completed), and its dialing settings (JSON: calling hours, pace, retries,
-- voicemail; the schema is src/outbound/campaign-settings.ts). last_error says why the scheduler paused it.
ALTER TABLE campaigns ADD COLUMN assistant_id INTEGER REFERENCES assistants(id);
ALTER TABLE campaigns ADD COLUMN caller_id TEXT;
ALTER TABLE campaigns ADD COLUMN status TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE campaigns ADD COLUMN dialing_json TEXT;
ALTER TABLE campaigns ADD COLUMN last_error TEXT;

-- The numbers a campaign calls, one row per number (deduplicated by the unique key), each with its progress.
-- last_call_id names the latest call placed to it; it is not a foreign key, so deleting a call (data lifecycle)
-- leaves the campaign's history readable (the scheduler treats a vanished in-progress call as failed).
CREATE TABLE campaign_contacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  number TEXT NOT NULL,
  -- the row's other fields (CSV columns, JSON metadata): become the metadata of the calls placed to it
  metadata_json TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_progress', 'completed', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- when a pending contact may be dialed (now for new ones; later after a busy or unanswered attempt)
  next_attempt_at TEXT NOT NULL,
  last_call_id TEXT,
  last_outcome TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (campaign_id, number)
);
-- Due contacts in order, progress counts per state, in-progress contacts to reconcile: one range each.
CREATE INDEX campaign_contacts_due ON campaign_contacts(campaign_id, state, next_attempt_at, id);
CREATE INDEX campaign_contacts_customer ON campaign_contacts(customer_id, campaign_id, id);
