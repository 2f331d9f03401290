/** TwiML for live calls (protocols.md §2), built with the one escaping builder in ./twiml. */
import { el, twimlDocument } from "./twiml";

/** `<Connect><Stream>`: a bidirectional media stream; closing our socket ends the call (nothing follows). */
export function connectStreamTwiml(url: string, parameters: Record<string, string> | [string, string][]): string {
  const entries = Array.isArray(parameters) ? parameters : Object.entries(parameters);
  return twimlDocument(el("Connect", {}, el("Stream", { url }, ...entries.map(([name, value]) => el("Parameter", { name, value })))));
}

export const APOLOGY = "We are sorry, our assistant is not available right now. Please call again later. Goodbye.";
export const NOT_IN_SERVICE = "We are sorry, this number is not in service. Goodbye.";

export const sayHangupTwiml = (text: string) => twimlDocument(el("Say", {}, text), el("Hangup"));

/** Hands the call to a person: a Voice SDK client (`client:identity`) or a phone number. */
export function dialTwiml(target: string, callerId?: string): string {
  const noun = target.startsWith("client:") ? el("Client", {}, target.slice(7)) : el("Number", {}, target);
  return twimlDocument(el("Dial", { callerId }, noun));
}
