-- Inside a live AI call (issue 15, docs/live-calls.md "Tools", "Surveys in the call", "Turn detection"):
-- per-assistant turn detection, noise reduction and transfer target, HTTP tools, and what each tool call did.

-- NULL = the defaults: server VAD 0.5 / 300 ms / 500 ms, no noise reduction, the number's own rep.
ALTER TABLE assistants ADD COLUMN turn_detection_json TEXT;
ALTER TABLE assistants ADD COLUMN noise_reduction TEXT
  CHECK (noise_reduction IS NULL OR noise_reduction IN ('near_field', 'far_field'));
ALTER TABLE assistants ADD COLUMN transfer_number TEXT;
ALTER TABLE assistants ADD COLUMN transfer_message TEXT;

-- An HTTP endpoint the assistant may call (an OpenAI function tool). Header values are tenant secrets:
-- each one encrypted (src/auth/crypto.ts), never returned.
CREATE TABLE assistant_tools (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  assistant_id INTEGER NOT NULL REFERENCES assistants(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  parameters_json TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
  headers_json TEXT NOT NULL DEFAULT '{}',
  timeout_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (assistant_id, name)
);
CREATE INDEX assistant_tools_assistant ON assistant_tools(customer_id, assistant_id, id);

-- What each tool call was asked and how long it took; `error` says why one failed. NULL for rows written
-- before this migration (and by sources that do not report them).
ALTER TABLE tool_calls ADD COLUMN arguments TEXT;
ALTER TABLE tool_calls ADD COLUMN latency_ms INTEGER;
ALTER TABLE tool_calls ADD COLUMN error TEXT;
