/** TwiML for live calls (protocols.md §2). Every interpolated value is escaped. */
export const xmlEsc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

/** `<Connect><Stream>`: a bidirectional media stream; closing our socket ends the call (nothing follows). */
export function connectStreamTwiml(url: string, parameters: Record<string, string>): string {
  const ps = Object.entries(parameters)
    .map(([name, value]) => `<Parameter name="${xmlEsc(name)}" value="${xmlEsc(value)}"/>`)
    .join("");
  return doc(`<Connect><Stream url="${xmlEsc(url)}">${ps}</Stream></Connect>`);
}

export const APOLOGY = "We are sorry, our assistant is not available right now. Please call again later. Goodbye.";
export const NOT_IN_SERVICE = "We are sorry, this number is not in service. Goodbye.";

export const sayHangupTwiml = (text: string) => doc(`<Say>${xmlEsc(text)}</Say><Hangup/>`);

/** Hands the call to a person: a Voice SDK client (`client:identity`) or a phone number. */
export function dialTwiml(target: string, callerId?: string): string {
  const attr = callerId ? ` callerId="${xmlEsc(callerId)}"` : "";
  const noun = target.startsWith("client:") ? `<Client>${xmlEsc(target.slice(7))}</Client>` : `<Number>${xmlEsc(target)}</Number>`;
  return doc(`<Dial${attr}>${noun}</Dial>`);
}
