import { describe, expect, it } from "vitest";
import { twilioSignature, validTwilioSignature } from "../../../src/carriers/twilio/signature";
import { referenceSignature } from "./helpers";

// Twilio's published test vector (reference §3.3).
const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
const params = new URLSearchParams({
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212",
});

describe("X-Twilio-Signature", () => {
  it("matches Twilio's published vector", async () => {
    expect(await twilioSignature("12345", url, params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });

  it("accepts the signature for the URL with or without the standard port", async () => {
    const withPort = await twilioSignature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", params);
    expect(await validTwilioSignature("12345", withPort, url, params)).toBe(true);
    expect(
      await validTwilioSignature(
        "12345",
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "https://mycompany.com:443/myapp.php?foo=1&bar=2",
        params,
      ),
    ).toBe(true);
  });

  it("refuses a changed parameter, URL, token or signature", async () => {
    const good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    const tampered = new URLSearchParams(params);
    tampered.set("To", "+18005551213");
    expect(await validTwilioSignature("12345", good, url, tampered)).toBe(false);
    expect(await validTwilioSignature("12345", good, `${url}&x=1`, params)).toBe(false);
    expect(await validTwilioSignature("12346", good, url, params)).toBe(false);
    expect(await validTwilioSignature("12345", good.replace("R", "S"), url, params)).toBe(false);
    expect(await validTwilioSignature("12345", "", url, params)).toBe(false);
  });

  it("signs names sorted and a repeated name's values sorted and once each, as Twilio's own helper does", async () => {
    const events = ["ringing", "answered", "completed", "answered"]; // unsorted, with a repeat
    const pair = (e: string): [string, string] => ["StatusCallbackEvent", e];
    const form = new URLSearchParams([["To", "+18005551212"], ...events.map(pair), ["CallSid", "CA1234567890ABCDE"]]);
    const sorted = new URLSearchParams([
      ["CallSid", "CA1234567890ABCDE"],
      ...["answered", "completed", "ringing"].map(pair),
      ["To", "+18005551212"],
    ]);
    const ours = await twilioSignature("12345", url, form);
    expect(ours).toBe(await twilioSignature("12345", url, sorted));
    expect(ours).toBe(
      await referenceSignature("12345", url, {
        To: "+18005551212",
        StatusCallbackEvent: events,
        CallSid: "CA1234567890ABCDE",
      }),
    );
    expect(await validTwilioSignature("12345", ours, url, form)).toBe(true);
  });
});
