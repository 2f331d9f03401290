/** A tiny TwiML builder: elements, attributes and text, every value XML-escaped. */
import type { PersonTarget } from "../../live/carrier";
import { sayVoice } from "./say-voice";

export interface TwimlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  children: (TwimlElement | string)[];
}

export const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** An element; attributes whose value is undefined are left out. */
export const el = (
  name: string,
  attrs: TwimlElement["attrs"] = {},
  ...children: (TwimlElement | string)[]
): TwimlElement => ({
  name,
  attrs,
  children,
});

function render(e: TwimlElement): string {
  const attrs = Object.entries(e.attrs)
    .filter((kv): kv is [string, string] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(v)}"`)
    .join("");
  if (e.children.length === 0) return `<${e.name}${attrs}/>`;
  const inner = e.children.map((c) => (typeof c === "string" ? xmlEscape(c) : render(c))).join("");
  return `<${e.name}${attrs}>${inner}</${e.name}>`;
}

/** A whole TwiML document: `<Response>` around the verbs. */
export const twimlDocument = (...verbs: TwimlElement[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>${render(el("Response", {}, ...verbs))}`;

export const twimlResponse = (xml: string, status = 200) =>
  new Response(xml, { status, headers: { "Content-Type": "text/xml; charset=utf-8" } });

// ── the documents this Worker answers with ──

/** `<Connect><Stream>`: a bidirectional media stream; closing our socket ends the call (nothing follows). */
export function connectStreamTwiml(url: string, parameters: Record<string, string> | [string, string][]): string {
  const entries = Array.isArray(parameters) ? parameters : Object.entries(parameters);
  return twimlDocument(
    el("Connect", {}, el("Stream", { url }, ...entries.map(([name, value]) => el("Parameter", { name, value })))),
  );
}

export const NOT_IN_SERVICE = "We are sorry, this number is not in service. Goodbye.";

/** `<Say>` then `<Hangup/>`; with a language, in that language's voice (src/carriers/twilio/say-voice.ts). */
export const sayHangupTwiml = (text: string, language?: string) =>
  twimlDocument(el("Say", language ? sayVoice(language) : {}, text), el("Hangup"));

/**
 * `<Dial>` to a person: a phone number, or a rep's browser (a Voice SDK `<Client>`). With `recordingCallback`,
 * recorded dual-channel from the answer, Twilio posting the finished recording to that URL; with `say`, that
 * is spoken to the caller first.
 */
export function dialTwiml(
  to: PersonTarget,
  o: { callerId?: string | null; recordingCallback?: string; say?: string } = {},
): string {
  const noun = to.kind === "rep" ? el("Client", {}, to.identity) : el("Number", {}, to.number);
  const callerId = o.callerId ?? undefined;
  const attrs = o.recordingCallback
    ? {
        callerId,
        record: "record-from-answer-dual",
        recordingStatusCallback: o.recordingCallback,
        recordingStatusCallbackEvent: "completed",
      }
    : { callerId };
  const dial = el("Dial", attrs, noun);
  return o.say ? twimlDocument(el("Say", {}, o.say), dial) : twimlDocument(dial);
}
