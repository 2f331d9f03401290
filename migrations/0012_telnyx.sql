-- Telnyx (docs/telnyx.md): a Telnyx call is named by several ids. The call record's call_sid is the caller leg's
-- call_control_id (what call control and the call's object use); its call_leg_id, call_session_id and an AI
-- assistant's conversation_id are kept here, so an event that names the call only by one of them (a
-- call.recording.saved without call_control_id, an ai.assistant.* event) still finds its record.
CREATE TABLE telnyx_call_refs (
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  ref TEXT NOT NULL,
  call_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (customer_id, ref)
);
CREATE INDEX telnyx_call_refs_call ON telnyx_call_refs(call_id);
