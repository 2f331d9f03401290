-- Extra TwiML app SIDs a tenant owns besides its main one: the only values `twimlAppSidOverride`
-- (GET /api/TwilioCalls/voice-token) may name. JSON array of "AP…" strings, set through the admin API
-- as `twilio.extraTwimlAppSids`.
ALTER TABLE customers ADD COLUMN twilio_extra_twiml_app_sids TEXT NOT NULL DEFAULT '[]';
