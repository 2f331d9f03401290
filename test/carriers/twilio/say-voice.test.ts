import { describe, expect, it } from "vitest";
import { sayVoice } from "../../../src/carriers/twilio/say-voice";
import { sayHangupTwiml } from "../../../src/carriers/twilio/twiml";

describe("<Say> in the rep's language", () => {
  it("a voice of that locale, else of that language, else the account's default", () => {
    expect(sayVoice("fr-FR")).toEqual({ language: "fr-FR", voice: "Polly.Celine" });
    expect(sayVoice("nl-BE")).toEqual({ language: "nl-NL", voice: "Polly.Lotte" });
    expect(sayVoice("ja-JP")).toEqual({ language: "ja-JP" });
    expect(sayHangupTwiml("Hallo & tot ziens", "nl-NL")).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="nl-NL" voice="Polly.Lotte">Hallo &amp; tot ziens</Say><Hangup/></Response>',
    );
    expect(sayHangupTwiml("Goodbye")).toContain("<Say>Goodbye</Say>");
  });
});
