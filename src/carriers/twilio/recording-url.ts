/**
 * Twilio's `RecordingUrl` (`…/Accounts/{AC}/Recordings/{RE}`, no extension) as the WAV to fetch, or null when it is
 * not ours to fetch: it must be on `origin` (the tenant's REST origin: TWILIO_API_BASE_URL, else its Twilio API host),
 * carry no credentials, and its path must end in `/Recordings/{recordingSid}` (an extension, if any, is replaced by
 * `.wav`: the copy stores WAV). Another host (SSRF), another recording or not a URL: null, and the caller builds the
 * URL from the SIDs, so the API key's Basic auth only ever goes where every other REST request of the tenant goes.
 */
export function ownRecordingWavUrl(origin: string, recordingSid: string, recordingUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(recordingUrl);
  } catch {
    return null;
  }
  if (u.origin !== new URL(origin).origin || u.username || u.password) return null;
  const m = /^(.*\/Recordings\/)([^/]+?)(\.[A-Za-z0-9]{1,5})?$/.exec(u.pathname);
  if (!m || m[2] !== recordingSid) return null;
  u.pathname = `${m[1]}${recordingSid}.wav`;
  u.hash = "";
  return u.href;
}
