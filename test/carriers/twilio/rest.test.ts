import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultTwilioEdge, twilioApiOrigin, twilioSdkEdge } from "../../../src/carriers/twilio/region";
import { TwilioRest, twilioBaseUrl } from "../../../src/carriers/twilio/rest";
import type { Env } from "../../../src/env";
import { ApiError } from "../../../src/lib/errors";
import { UpstreamError, upstreamToApi } from "../../../src/lib/upstream";

const AC = `AC${"a".repeat(32)}`;
const RE = `RE${"b".repeat(32)}`;
const BASE = "https://api.dublin.ie1.twilio.com";
const client = (base = BASE) => new TwilioRest(base, AC, `SK${"c".repeat(32)}`, "secret");
const built = `${BASE}/2010-04-01/Accounts/${AC}/Recordings/${RE}.wav`;

describe("Twilio regions and edges (one mapping for the REST host and the voice token)", () => {
  const noOverride = { ...env, TWILIO_API_BASE_URL: undefined } as Env;

  it("a region without an edge gets its documented edge on the REST host; US1 is api.twilio.com", () => {
    expect(twilioBaseUrl(noOverride, { region: "ie1", edge: null })).toBe("https://api.dublin.ie1.twilio.com");
    expect(twilioBaseUrl(noOverride, { region: "au1", edge: null })).toBe("https://api.sydney.au1.twilio.com");
    expect(twilioBaseUrl(noOverride, { region: "jp1", edge: null })).toBe("https://api.tokyo.jp1.twilio.com");
    expect(twilioBaseUrl(noOverride, { region: "us1", edge: null })).toBe("https://api.twilio.com");
    expect(twilioBaseUrl(noOverride, { region: null, edge: null })).toBe("https://api.twilio.com");
    expect(twilioBaseUrl(noOverride, { region: "us1", edge: "ashburn" })).toBe("https://api.twilio.com");
  });

  it("the tenant's own edge wins; TWILIO_API_BASE_URL wins over both", () => {
    expect(twilioBaseUrl(noOverride, { region: "au1", edge: "tokyo" })).toBe("https://api.tokyo.au1.twilio.com");
    const overridden = { ...env, TWILIO_API_BASE_URL: "http://127.0.0.1:9999/" } as Env;
    expect(twilioBaseUrl(overridden, { region: "au1", edge: null })).toBe("http://127.0.0.1:9999");
  });

  it("a non-US1 region with no documented edge and none set is a 409, not a guessed host", () => {
    expect(() => twilioApiOrigin({ region: "de1", edge: null })).toThrow(ApiError);
    expect(twilioApiOrigin({ region: "de1", edge: "frankfurt" })).toBe("https://api.frankfurt.de1.twilio.com");
  });

  it("the SDK edge: the tenant's, else the region's default, else roaming", () => {
    expect(twilioSdkEdge({ region: "ie1", edge: null })).toBe("dublin");
    expect(twilioSdkEdge({ region: "au1", edge: null })).toBe("sydney");
    expect(twilioSdkEdge({ region: "ie1", edge: "frankfurt" })).toBe("frankfurt");
    expect(twilioSdkEdge({ region: null, edge: null })).toBe("roaming");
    expect(twilioSdkEdge({ region: "de1", edge: null })).toBe("roaming");
    expect(defaultTwilioEdge("us1")).toBeNull();
  });
});

describe("TwilioRest.recordingMediaUrl: Twilio's RecordingUrl on our own Twilio origin, else the URL built from the SIDs", () => {
  it("uses RecordingUrl + .wav when it is on the client's origin and names this recording", () => {
    const rest = client();
    const url = `${BASE}/2010-04-01/Accounts/${AC}/Recordings/${RE}`;
    expect(rest.recordingMediaUrl(RE, url)).toBe(`${url}.wav`);
    expect(rest.recordingMediaUrl(RE, `${url}.wav`)).toBe(`${url}.wav`);
    // The copy stores WAV: another extension is asked for as .wav.
    expect(rest.recordingMediaUrl(RE, `${url}.mp3`)).toBe(`${url}.wav`);
    expect(rest.recordingMediaUrl(RE, `${url}.json`)).toBe(`${url}.wav`);
    expect(rest.recordingMediaUrl(RE, `${url}?RequestedChannels=2`)).toBe(`${url}.wav?RequestedChannels=2`);
    // A subaccount's or another path's recording on the same host is Twilio's own URL too.
    const sub = `${BASE}/2010-04-01/Accounts/AC${"d".repeat(32)}/Recordings/${RE}`;
    expect(rest.recordingMediaUrl(RE, sub)).toBe(`${sub}.wav`);
  });

  it("falls back to the built URL for anything else (SSRF: no other host is ever fetched)", () => {
    const rest = client();
    for (const other of [
      undefined,
      null,
      "",
      "not a url",
      "http://169.254.169.254/latest/meta-data",
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/Recordings/${RE}`, // another Twilio host than ours
      `http://api.dublin.ie1.twilio.com/2010-04-01/Accounts/${AC}/Recordings/${RE}`, // not https
      `https://api.dublin.ie1.twilio.com:8443/2010-04-01/Accounts/${AC}/Recordings/${RE}`, // another port
      `https://api.dublin.ie1.twilio.com.evil.example/2010-04-01/Accounts/${AC}/Recordings/${RE}`,
      `https://user:pw@api.dublin.ie1.twilio.com/2010-04-01/Accounts/${AC}/Recordings/${RE}`,
      `${BASE}/2010-04-01/Accounts/${AC}/Recordings/RE${"e".repeat(32)}`, // another recording
      `${BASE}/2010-04-01/Accounts/${AC}/Recordings/${RE}/Transcriptions`,
      `${BASE}/2010-04-01/Accounts/${AC}/Calls/CA${"f".repeat(32)}`,
    ])
      expect(rest.recordingMediaUrl(RE, other), String(other)).toBe(built);
  });

  it("with TWILIO_API_BASE_URL, that origin is ours", () => {
    const rest = client("http://127.0.0.1:9999");
    const url = `http://127.0.0.1:9999/2010-04-01/Accounts/${AC}/Recordings/${RE}`;
    expect(rest.recordingMediaUrl(RE, url)).toBe(`${url}.wav`);
    expect(rest.recordingMediaUrl(RE, `${BASE}/2010-04-01/Accounts/${AC}/Recordings/${RE}`)).toBe(
      `http://127.0.0.1:9999/2010-04-01/Accounts/${AC}/Recordings/${RE}.wav`,
    );
  });
});

describe("TwilioRest: a 2xx with an empty or non-JSON body", () => {
  afterEach(() => vi.restoreAllMocks());
  const answer = (body: string, status = 200) =>
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response(body || null, { status }));

  it("is success with no data where nothing is read (update, hang up, delete, SMS)", async () => {
    for (const body of ["", "OK", "<html>fine</html>"]) {
      answer(body);
      const rest = client();
      await expect(rest.updateCall(`CA${"1".repeat(32)}`, { Status: "completed" })).resolves.toBeUndefined();
      await expect(rest.deleteRecording(RE)).resolves.toBeUndefined();
      await expect(rest.sendSms("+32470000000", "+3225550100", "hi")).resolves.toBeUndefined();
      vi.restoreAllMocks();
    }
  });

  it("is an upstream failure (502 through the one mapping, never a 500) where fields are read", async () => {
    for (const [body, status] of [
      ["", 201],
      ["not json", 200],
      ["null", 200],
      ['{"code":123}', 201],
      ['{"calls":[{"sid":"CA1"}]}', 200],
    ] as const) {
      answer(body, status);
      const rest = client();
      for (const call of [
        () => rest.createCall({ to: "+32470000000", from: "+3225550100", url: "https://x.example/voice" }),
        () => rest.fetchCall(`CA${"1".repeat(32)}`),
        () => rest.listCalls({ ParentCallSid: `CA${"1".repeat(32)}` }),
      ]) {
        const err = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `${status} ${body}`).toBeInstanceOf(UpstreamError);
        expect(upstreamToApi(err as UpstreamError).status).toBe(502);
      }
      vi.restoreAllMocks();
    }
  });
});
