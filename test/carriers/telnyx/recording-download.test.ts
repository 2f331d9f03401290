import { describe, expect, it } from "vitest";
import {
  downloadTelnyxRecording,
  RecordingUrlRefused,
  recordingUrlRefusal,
} from "../../../src/carriers/telnyx/recording-download";
import { DEFAULT_TELNYX_API_BASE_URL } from "../../../src/carriers/telnyx/rest";
import { UpstreamError } from "../../../src/lib/upstream";
import { failureOf, telnyxApiBase, telnyxFake, telnyxOrigin } from "./helpers";

const BUCKET = "https://s3.amazonaws.com/telephony-recorder-prod";

describe("which recording URLs may be fetched", () => {
  const allowed = [
    `${BUCKET}/047e057e/2022-02-04/9977677e-1643974566.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab`,
    "https://s3.us-east-1.amazonaws.com/telephony-recorder-prod/a/b.mp3",
    "https://telephony-recorder-prod.s3.amazonaws.com/a/b.wav",
    "https://telephony-recorder-prod.s3.eu-central-1.amazonaws.com/a/b.wav",
    "https://api.telnyx.com/v2/recordings/abc/download",
    "https://telnyx.com/r/x.wav",
  ];
  const refused: [string, RegExp][] = [
    ["https://s3.amazonaws.com/someone-elses-bucket/x.wav", /not a Telnyx recording host/],
    ["https://s3.amazonaws.com/telephony-recorder-prod-evil/x.wav", /not a Telnyx recording host/],
    ["https://evil-telephony-recorder-prod.s3.amazonaws.com/x.wav", /not a Telnyx recording host/],
    ["https://telnyx.com.evil.example/x.wav", /not a Telnyx recording host/],
    ["https://eviltelnyx.com/x.wav", /not a Telnyx recording host/],
    ["http://api.telnyx.com/v2/x.wav", /not https/],
    ["https://api.telnyx.com:8443/x.wav", /port 8443/],
    ["https://user:pass@api.telnyx.com/x.wav", /credentials/],
    ["ftp://api.telnyx.com/x.wav", /not https/],
    ["not a url", /not a URL/],
    ["http://169.254.169.254/latest/meta-data/", /not https/],
  ];

  it("Telnyx's hosts and its recording bucket on S3, over https on the default port", () => {
    for (const url of allowed) expect(recordingUrlRefusal(url, DEFAULT_TELNYX_API_BASE_URL), url).toBeNull();
  });

  it("nothing else: other buckets, look-alike hosts, http, other ports, credentials", () => {
    for (const [url, why] of refused) expect(recordingUrlRefusal(url, DEFAULT_TELNYX_API_BASE_URL), url).toMatch(why);
  });

  it("the origin of TELNYX_API_BASE_URL exactly: same scheme, host and port", () => {
    const base = "http://127.0.0.1:8123/v2";
    expect(recordingUrlRefusal("http://127.0.0.1:8123/telephony-recorder-prod/x.wav", base)).toBeNull();
    expect(recordingUrlRefusal("http://127.0.0.1:8124/telephony-recorder-prod/x.wav", base)).toMatch(/not https/);
    expect(recordingUrlRefusal("http://localhost:8123/x.wav", base)).toMatch(/not https/);
    expect(recordingUrlRefusal("https://127.0.0.1:8123/x.wav", base)).toMatch(/port/);
  });
});

interface Stored {
  name: string;
  url: string;
  bytes: number;
}
const downloads = async (r: Stored) =>
  (await telnyxFake<{ downloads: number }>(`/recordings?name=${encodeURIComponent(r.name)}`)).downloads;

const failure = (p: Promise<unknown>) => failureOf(p, Error);

describe("downloading a recording from the fake Telnyx", () => {
  it("streams a mono WAV without sending any credential (S3 would refuse a second auth mechanism)", async () => {
    const r = await telnyxFake<Stored>("/recordings", { channels: 1, samples: 8000, left: 1234 });
    const res = await downloadTelnyxRecording(r.url, telnyxApiBase());
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.body).toBeInstanceOf(ReadableStream);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(r.bytes);
    const v = new DataView(bytes.buffer);
    expect([v.getUint16(22, true), v.getUint32(24, true), v.getInt16(44, true)]).toEqual([1, 8000, 1234]);
    expect(await downloads(r)).toBe(1);
  });

  it("streams a dual-channel WAV served without Content-Length, caller (left) and other side (right) intact", async () => {
    const r = await telnyxFake<Stored>("/recordings", {
      channels: 2,
      samples: 40_000,
      left: 111,
      right: -222,
      chunked: true,
    });
    const res = await downloadTelnyxRecording(r.url, telnyxApiBase());
    expect(res.headers.get("content-length")).toBeNull();
    let total = 0;
    let firstFrame: number[] = [];
    for await (const chunk of res.body as ReadableStream<Uint8Array>) {
      if (total === 0)
        firstFrame = [0, 2].map((o) => new DataView(chunk.buffer, chunk.byteOffset + 44 + o).getInt16(0, true));
      total += chunk.length;
    }
    expect(total).toBe(44 + 40_000 * 4);
    expect(firstFrame).toEqual([111, -222]);
  });

  it("an expired link is S3's 403, as an UpstreamError naming it", async () => {
    const r = await telnyxFake<Stored>("/recordings", {});
    await telnyxFake("/recordings/expire", { name: r.name });
    const e = await failure(downloadTelnyxRecording(r.url, telnyxApiBase()));
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ status: 403, code: "AccessDenied", service: "Telnyx", what: "recording download" });
    expect(e.message).toBe("HTTP 403 AccessDenied: Request has expired");
  });

  it("a redirect is not followed, even to an allowed host", async () => {
    const target = await telnyxFake<Stored>("/recordings", {});
    const r = await telnyxFake<Stored>("/recordings", { redirectTo: target.url });
    const e = await failure(downloadTelnyxRecording(r.url, telnyxApiBase()));
    expect(e).toMatchObject({ status: 302 });
    expect(e.message).toMatch(/redirects/);
    expect([await downloads(r), await downloads(target)]).toEqual([1, 0]);
  });

  it("a URL outside the allow-list is refused before any request", async () => {
    const r = await telnyxFake<Stored>("/recordings", {});
    const elsewhere = r.url.replace(telnyxOrigin(), telnyxOrigin().replace("127.0.0.1", "localhost"));
    const e = await failure(downloadTelnyxRecording(elsewhere, telnyxApiBase()));
    expect(e).toBeInstanceOf(RecordingUrlRefused);
    expect(e.message).toMatch(/recording URL refused: http: is not https/);
    expect(await downloads(r)).toBe(0);
  });
});
