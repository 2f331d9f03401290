import { describe, expect, it } from "vitest";
import { connectStreamTwiml, dialTwiml, el, twimlDocument, xmlEscape } from "../../../src/carriers/twilio/twiml";
import { referenceTwiml } from "./helpers";
import { parseXml } from "./xml";

const nasty = `a&b <c> "d" 'e'`;

describe("TwiML builder vs twilio's VoiceResponse", () => {
  it("escapes every special character in text and attributes", () => {
    expect(xmlEscape(nasty)).toBe("a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;");
    expect(twimlDocument(el("Say", { voice: nasty }, nasty))).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="${xmlEscape(nasty)}">${xmlEscape(nasty)}</Say></Response>`,
    );
  });

  it("builds a plain <Dial> the way VoiceResponse does", async () => {
    const ours = dialTwiml({ kind: "number", number: "+32470000000" }, { callerId: "+3225550100" });
    const ref = await referenceTwiml([{ dial: { callerId: "+3225550100" }, numbers: [{ value: "+32470000000" }] }]);
    expect(parseXml(ours)).toEqual(parseXml(ref));
  });

  it("builds a recorded dual-channel <Dial> with a callback URL holding & and quotes", async () => {
    const cb = `https://voicedesk.test/api/TwilioCalls/7/recordingcallback?customFrom=%2B3225550100&customTo=%2B32470000000&x="${nasty}"`;
    const ours = dialTwiml(
      { kind: "number", number: "+32470000000" },
      { callerId: "+3225550100", recordingCallback: cb },
    );
    const ref = await referenceTwiml([
      {
        dial: {
          callerId: "+3225550100",
          record: "record-from-answer-dual",
          recordingStatusCallback: cb,
          recordingStatusCallbackEvent: "completed",
        },
        numbers: [{ value: "+32470000000" }],
      },
    ]);
    expect(parseXml(ours)).toEqual(parseXml(ref));
    expect(parseXml(ours).children[0]).toMatchObject({ attrs: { recordingStatusCallback: cb } });
  });

  it("builds a transfer: <Say> the announcement, then <Dial> the rep's <Client>", async () => {
    const ours = dialTwiml({ kind: "rep", identity: "rep_7" }, { callerId: "+32470000000", say: nasty });
    const ref = await referenceTwiml([
      { say: nasty },
      { dial: { callerId: "+32470000000" }, numbers: [], clients: [{ value: "rep_7" }] },
    ]);
    expect(parseXml(ours)).toEqual(parseXml(ref));
  });

  it("builds <Connect><Stream> with parameters whose values need escaping", async () => {
    const params: [string, string][] = [
      ["CallerVoice", nasty],
      ["To", "+32470000000"],
      ["Empty&", "<>"],
    ];
    const ours = connectStreamTwiml("wss://voicedesk.test/streams/CA1", params);
    const ref = await referenceTwiml([
      {
        connect: {},
        stream: { url: "wss://voicedesk.test/streams/CA1" },
        parameters: params.map(([name, value]) => ({ name, value })),
      },
    ]);
    expect(parseXml(ours)).toEqual(parseXml(ref));
  });

  it("the test's XML reader is strict: a broken document does not parse", () => {
    expect(() => parseXml("<Response><Dial></Response>")).toThrow();
    expect(() => parseXml('<Response a="1" a="2"/>')).toThrow();
    expect(() => parseXml("<Response>&bogus;</Response>")).toThrow();
  });
});
