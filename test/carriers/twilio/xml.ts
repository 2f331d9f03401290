/** A strict little XML reader for comparing TwiML documents as trees (attribute order and quoting ignored). */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: (XmlNode | string)[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    const v = ENTITIES[e];
    if (v === undefined) throw new Error(`unknown entity ${m}`);
    return v;
  });
}

export function parseXml(xml: string): XmlNode {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`XML: ${why} at ${at}: ${xml.slice(at, at + 40)}`);
  };
  const decl = /^<\?xml[^?]*\?>/.exec(xml);
  if (decl) at = decl[0].length;
  const skipWs = () => {
    while (/\s/.test(xml[at] ?? "")) at++;
  };
  function element(): XmlNode {
    const open = /^<([A-Za-z_][\w.-]*)/.exec(xml.slice(at)) ?? fail("expected an element");
    at += open[0].length;
    const node: XmlNode = { name: open[1]!, attrs: {}, children: [] };
    for (;;) {
      skipWs();
      if (xml.startsWith("/>", at)) {
        at += 2;
        return node;
      }
      if (xml[at] === ">") {
        at++;
        break;
      }
      const a = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(at)) ?? fail("bad attribute");
      if (a[1]! in node.attrs) fail(`duplicate attribute ${a[1]}`);
      node.attrs[a[1]!] = decode(a[3] ?? a[4] ?? "");
      at += a[0].length;
    }
    for (;;) {
      if (xml.startsWith(`</${node.name}>`, at)) {
        at += node.name.length + 3;
        return node;
      }
      if (xml.startsWith("</", at)) fail(`mismatched close of ${node.name}`);
      if (xml[at] === "<") {
        node.children.push(element());
        continue;
      }
      const end = xml.indexOf("<", at);
      if (end < 0) fail(`unclosed ${node.name}`);
      const text = xml.slice(at, end);
      if (text.trim()) node.children.push(decode(text));
      at = end;
    }
  }
  skipWs();
  const root = element();
  skipWs();
  if (at !== xml.length) fail("trailing content");
  return root;
}
