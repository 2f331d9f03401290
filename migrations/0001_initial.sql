-- voicedesk initial schema. Every tenant-owned row carries customer_id; every query filters on it.
-- Times are ISO-8601 UTC text (sortable); durations are integer seconds unless the column says _ms.

CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  twilio_account_sid TEXT NOT NULL UNIQUE,
  twilio_auth_token_enc TEXT NOT NULL,
  twilio_api_key_sid TEXT NOT NULL,
  twilio_api_key_secret_enc TEXT NOT NULL,
  twilio_twiml_app_sid TEXT NOT NULL,
  twilio_region TEXT,
  twilio_edge TEXT,
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

CREATE TABLE reps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  email TEXT,
  identity TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (customer_id, identity)
);
CREATE INDEX reps_customer ON reps(customer_id, id);

CREATE TABLE assistants (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  instructions TEXT NOT NULL,
  voice TEXT,
  welcome_message TEXT,
  language TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX assistants_customer ON assistants(customer_id, id);

-- A number the tenant owns; optionally assigned to a rep (who may call from it) or an assistant (who answers it).
CREATE TABLE phone_numbers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  number TEXT NOT NULL,
  rep_id INTEGER REFERENCES reps(id),
  assistant_id INTEGER REFERENCES assistants(id),
  created_at TEXT NOT NULL,
  UNIQUE (customer_id, number)
);
CREATE INDEX phone_numbers_number ON phone_numbers(number);
CREATE INDEX phone_numbers_rep ON phone_numbers(rep_id);

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  -- post-call survey configuration (JSON: {questions: [{text, scaleMax?}], ...}) or NULL for none
  survey_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX campaigns_customer ON campaigns(customer_id, id);

CREATE TABLE tickets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  channel TEXT NOT NULL CHECK (channel IN ('phone', 'web', 'email')),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
  subject TEXT NOT NULL,
  phone_number TEXT,
  rep_id INTEGER REFERENCES reps(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX tickets_list ON tickets(customer_id, id DESC);
CREATE INDEX tickets_filter ON tickets(customer_id, channel, status, id DESC);
CREATE INDEX tickets_phone ON tickets(customer_id, phone_number, channel, id DESC);

CREATE TABLE ticket_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  sender_type TEXT NOT NULL CHECK (sender_type IN ('EndUser', 'AI', 'CustomerRep')),
  text TEXT NOT NULL,
  -- offset into the recording this message was transcribed from, else NULL
  offset_ms INTEGER,
  recording_id TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, id);

-- One voice conversation. The id is the voice-call id and the conversation id alike.
CREATE TABLE calls (
  id TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  carrier TEXT NOT NULL CHECK (carrier IN ('twilio', 'telnyx', 'ringcentral', 'webrtc')),
  direction TEXT NOT NULL CHECK (direction IN ('Inbound', 'Outbound')),
  -- Queued, Ringing, InProgress, Completed, Busy, NoAnswer, Failed, Canceled
  state TEXT NOT NULL,
  mode TEXT NOT NULL DEFAULT 'plain' CHECK (mode IN ('plain', 'record', 'translate', 'assistant')),
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
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX calls_carrier_sid ON calls(carrier, call_sid) WHERE call_sid IS NOT NULL;
CREATE INDEX calls_parent_sid ON calls(parent_call_sid) WHERE parent_call_sid IS NOT NULL;
CREATE INDEX calls_list ON calls(customer_id, created_at DESC, id DESC);
CREATE INDEX calls_state ON calls(customer_id, state, created_at DESC, id DESC);
CREATE INDEX calls_direction ON calls(customer_id, direction, created_at DESC, id DESC);
CREATE INDEX calls_campaign ON calls(customer_id, campaign_id, created_at DESC, id DESC);
CREATE INDEX calls_analytics ON calls(customer_id, start_time, state, duration_seconds, sentiment);

CREATE TABLE transcript_segments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL REFERENCES calls(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  -- agent (AI or rep) | customer (the end user)
  role TEXT NOT NULL CHECK (role IN ('agent', 'customer')),
  sender_type TEXT NOT NULL CHECK (sender_type IN ('EndUser', 'AI', 'CustomerRep')),
  text TEXT NOT NULL,
  offset_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX transcript_segments_call ON transcript_segments(call_id, offset_ms, id);

CREATE TABLE recordings (
  id TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  ticket_id INTEGER REFERENCES tickets(id),
  call_id TEXT REFERENCES calls(id),
  r2_key TEXT NOT NULL UNIQUE,
  version INTEGER NOT NULL DEFAULT 1,
  source TEXT NOT NULL CHECK (source IN ('upload', 'twilio', 'live', 'telnyx')),
  -- the carrier's id for this recording (Twilio RecordingSid, Telnyx recording id): idempotency key
  carrier_recording_sid TEXT,
  content_type TEXT NOT NULL DEFAULT 'audio/wav',
  size_bytes INTEGER,
  duration_ms INTEGER NOT NULL,
  channels INTEGER NOT NULL,
  sample_rate INTEGER NOT NULL DEFAULT 8000,
  -- what each channel holds, e.g. 'EndUser' / 'AI+CustomerRep'
  left_role TEXT NOT NULL DEFAULT 'EndUser',
  right_role TEXT NOT NULL DEFAULT 'AI+CustomerRep',
  started_at TEXT,
  ended_at TEXT,
  -- pending | done | skipped | failed, with the reason when not done
  transcription_status TEXT NOT NULL DEFAULT 'pending',
  transcription_reason TEXT,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX recordings_carrier_sid ON recordings(customer_id, carrier_recording_sid) WHERE carrier_recording_sid IS NOT NULL;
CREATE INDEX recordings_ticket ON recordings(ticket_id, version DESC);
CREATE INDEX recordings_call ON recordings(call_id, created_at DESC);
CREATE INDEX recordings_customer ON recordings(customer_id, created_at);

-- Post-call survey (EPA): one per call when its campaign has a survey.
CREATE TABLE surveys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL UNIQUE REFERENCES calls(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  campaign_id INTEGER REFERENCES campaigns(id),
  state TEXT NOT NULL CHECK (state IN ('NotStarted', 'Partial', 'Completed')),
  completion_reason TEXT,
  total_questions INTEGER NOT NULL,
  questions_answered INTEGER NOT NULL DEFAULT 0,
  calculated_score REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX surveys_customer ON surveys(customer_id);

CREATE TABLE survey_responses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  survey_id INTEGER NOT NULL REFERENCES surveys(id),
  question_index INTEGER NOT NULL,
  question TEXT NOT NULL,
  answer TEXT NOT NULL,
  score REAL,
  created_at TEXT NOT NULL,
  UNIQUE (survey_id, question_index)
);

CREATE TABLE tool_calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL REFERENCES calls(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  success INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX tool_calls_customer ON tool_calls(customer_id, created_at);
CREATE INDEX tool_calls_call ON tool_calls(call_id);

-- Webhook deliveries already processed, so a carrier's retry changes nothing.
CREATE TABLE webhook_events (
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  customer_id INTEGER REFERENCES customers(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (source, event_id)
);

-- One-time codes for phone login, stored as keyed hashes.
CREATE TABLE phone_login_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  phone_number TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  expires_at TEXT NOT NULL,
  consumed_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX phone_login_codes_number ON phone_login_codes(customer_id, phone_number, created_at DESC);
