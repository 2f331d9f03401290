-- Which recording a transcript segment was transcribed from (NULL for live realtime transcripts), so a newer
-- version of the same recording can replace its segments, as ticket_messages.recording_id already allows.
ALTER TABLE transcript_segments ADD COLUMN recording_id TEXT;
CREATE INDEX transcript_segments_recording ON transcript_segments(recording_id) WHERE recording_id IS NOT NULL;
CREATE INDEX ticket_messages_recording ON ticket_messages(recording_id) WHERE recording_id IS NOT NULL;
