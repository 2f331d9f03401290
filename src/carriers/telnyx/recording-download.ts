import { UpstreamError } from "../../lib/upstream";

/**
 * `call.recording.saved` names its recording by URL, and a webhook's URL is never fetched blindly
 * (docs/telnyx.md, "Recordings"). Allowed, over https on the default port and without credentials in the URL:
 *  - Telnyx's own hosts: `telnyx.com` and its subdomains;
 *  - Telnyx's recording bucket on S3, where its pre-signed links point: `telephony-recorder-prod`, path-style
 *    (`s3.amazonaws.com/telephony-recorder-prod/…`, also `s3.<region>.amazonaws.com`) or virtual-hosted
 *    (`telephony-recorder-prod.s3[.<region>].amazonaws.com`) — the bucket, never all of S3;
 *  - the origin of TELNYX_API_BASE_URL (scheme, host and port exactly; tests point it at a loopback fake).
 * The links are pre-signed, so no API key is ever sent with them; redirects are not followed.
 */
const RECORDING_BUCKET = "telephony-recorder-prod";
const S3_HOST = /^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/;
const BUCKET_HOST = new RegExp(`^${RECORDING_BUCKET}\\.s3(?:[.-][a-z0-9-]+)?\\.amazonaws\\.com$`);

/** Thrown for a URL outside the allow-list; nothing was fetched. */
export class RecordingUrlRefused extends Error {
  constructor(reason: string) {
    super(`recording URL refused: ${reason}`);
    this.name = "RecordingUrlRefused";
  }
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Why `url` may not be fetched, or null when it may (`apiBaseUrl` = TELNYX_API_BASE_URL or the default). */
export function recordingUrlRefusal(url: string, apiBaseUrl: string): string | null {
  const u = parse(url);
  if (!u) return "not a URL";
  if (u.username || u.password) return "credentials in the URL";
  const api = parse(apiBaseUrl);
  if (api && u.protocol === api.protocol && u.host === api.host) return null;
  if (u.protocol !== "https:") return `${u.protocol} is not https`;
  if (u.port) return `port ${u.port} is not allowed`;
  const host = u.hostname.toLowerCase();
  if (host === "telnyx.com" || host.endsWith(".telnyx.com")) return null;
  if (BUCKET_HOST.test(host)) return null;
  if (S3_HOST.test(host) && u.pathname.startsWith(`/${RECORDING_BUCKET}/`)) return null;
  return `${host} is not a Telnyx recording host`;
}

/**
 * Fetches a recording for streaming into R2: the Response is returned with its body unread (nothing is
 * buffered). A refused URL throws RecordingUrlRefused before any request; a failed one an UpstreamError
 * naming the status (an expired link is S3's 403).
 */
export async function downloadTelnyxRecording(url: string, apiBaseUrl: string): Promise<Response> {
  const refusal = recordingUrlRefusal(url, apiBaseUrl);
  if (refusal) throw new RecordingUrlRefused(refusal);
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: "audio/wav, audio/x-wav, audio/mpeg" }, redirect: "manual" });
  } catch (e) {
    const why = e instanceof Error ? e.message : "network error";
    throw new UpstreamError("Telnyx", 0, null, `recording host unreachable (${why})`, "recording download");
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new UpstreamError(
      "Telnyx",
      res.status,
      null,
      "the recording URL redirects; not followed",
      "recording download",
    );
  }
  if (!res.ok || !res.body) {
    // S3 explains itself in XML (<Code>AccessDenied</Code><Message>Request has expired</Message>).
    const text = (await res.text().catch(() => "")).slice(0, 2000);
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? null;
    const detail = /<Message>([^<]{1,300})<\/Message>/.exec(text)?.[1] ?? text.slice(0, 300);
    const message = `HTTP ${res.status}${code ? ` ${code}` : ""}${detail ? `: ${detail}` : ""}`;
    throw new UpstreamError("Telnyx", res.status, code, message, "recording download");
  }
  return res;
}
