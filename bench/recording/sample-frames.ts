export const STREAM_SID = "MZ0123456789abcdef0123456789abcdef";

/** The frames bench/recording's workerd benches read and decode: 64 distinct 160-byte payloads, as Twilio sends them. */
export function sampleFrames() {
  const bytes = new Uint8Array(160).map((_, i) => (i * 37) & 0xff);
  const payloads = Array.from({ length: 64 }, (_, k) => btoa(String.fromCharCode(...bytes.map((b) => (b + k) & 0xff))));
  const media = payloads.map(
    (p, k) =>
      `{"event":"media","sequenceNumber":"${k + 2}","media":{"track":"inbound","chunk":"${k + 1}","timestamp":"${k * 20}","payload":"${p}"},"streamSid":"${STREAM_SID}"}`,
  );
  return { payloads, media };
}
