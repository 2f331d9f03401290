/** A tiny TwiML builder: elements, attributes and text, every value XML-escaped. */

export interface TwimlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  children: (TwimlElement | string)[];
}

export const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** An element; attributes whose value is undefined are left out. */
export const el = (name: string, attrs: TwimlElement["attrs"] = {}, ...children: (TwimlElement | string)[]): TwimlElement => ({
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
