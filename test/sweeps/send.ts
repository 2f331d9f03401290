import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { twilioSignature } from "../../src/carriers/twilio/signature";
import { BASE } from "../helpers";
import type { BodyCase } from "./hostile";
import { rowCounts } from "./world";

/** The parameters of a route pattern in order, with the alternatives a `{a|b}` constraint allows. */
export function patternParams(pattern: string): { name: string; choices: string[] }[] {
  return [...pattern.matchAll(/:(\w+)(?:\{([^}]*)\})?/g)].map((m) => ({
    name: m[1]!,
    choices: m[2]?.split("|").filter((c) => /^\w+$/.test(c)) ?? [],
  }));
}

/** Lone surrogates cannot be percent-encoded; a hostile string keeps everything else. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDFFF]/g, "\uFFFD");

export function fillPath(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => encodeURIComponent(wellFormed(values[name]!)));
}

/** Header values must be printable ASCII to be sent at all; anything else is what a client could not send. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7E]/g, "");

export interface Outgoing {
  method: string;
  path: string;
  query?: [string, string][];
  headers?: [string, string][];
  body?: BodyCase;
  /** A Twilio auth token to sign the request with, as Twilio would (over the public URL and the form fields). */
  twilioAuthToken?: string;
}

export async function buildRequest(o: Outgoing): Promise<Request> {
  const qs = o.query?.length
    ? `?${new URLSearchParams(o.query.map(([k, v]): [string, string] => [k, wellFormed(v)]))}`
    : "";
  const url = BASE + o.path + qs;
  const headers = new Headers();
  for (const [k, v] of o.headers ?? []) headers.set(k, headerSafe(v));
  let body: BodyInit | undefined;
  const b = o.body ?? {};
  if (b.form) {
    const form = new URLSearchParams(b.form.map(([k, v]): [string, string] => [wellFormed(k), wellFormed(v)]));
    body = form.toString();
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    if (o.twilioAuthToken) headers.set("X-Twilio-Signature", await twilioSignature(o.twilioAuthToken, url, form));
  } else if (b.multipart) {
    const fd = new FormData();
    for (const p of b.multipart)
      if (p.filename !== undefined) fd.append(p.name, new Blob([p.value], { type: p.type ?? "" }), p.filename);
      else fd.append(p.name, p.value);
    body = fd;
  } else if (b.text !== undefined) {
    body = b.text;
    if (b.contentType !== undefined) headers.set("Content-Type", headerSafe(b.contentType));
  }
  if (o.method === "GET" || o.method === "HEAD") body = undefined;
  return new Request(url, { method: o.method, headers, body });
}

/** No request may hang: a generous bound that only a stuck request reaches. */
async function notHung<T>(p: Promise<T>, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${label}`)), 15_000);
  });
  try {
    return await Promise.race([p, hung]);
  } finally {
    clearTimeout(timer);
  }
}

export const describeRequest = (req: Request, o: Outgoing) =>
  `${req.method} ${req.url.slice(BASE.length, BASE.length + 200)} ${JSON.stringify(o.body ?? {}).slice(0, 300)}`;

/** The row counts the last request left (a refusal leaves them; only an accepted request moves them). */
let baseline: Record<string, number> | undefined;

/**
 * Sends one request through the Worker's entry and checks what every answer must be: never a 5xx or a hang; a
 * refusal is JSON `{error, issues?}` and leaves every D1 table as it was. Returns the status and the body's text.
 */
export async function sendChecked(
  o: Outgoing,
  opts: { allow5xx?: number } = {},
): Promise<{ status: number; text: string }> {
  const req = await buildRequest(o);
  const label = describeRequest(req, o);
  baseline ??= await rowCounts();
  const before = baseline;
  const res = await notHung(exports.default.fetch(req), label);
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "sweep");
  }
  const text = new TextDecoder().decode(await notHung(res.arrayBuffer(), label));
  const documented = res.status === opts.allow5xx;
  if (!documented) expect(res.status, label).toBeLessThan(500);
  if (res.status >= 400 && !documented) {
    if (req.method !== "HEAD") {
      expect(res.headers.get("Content-Type"), label).toMatch(/^application\/json/);
      const body = JSON.parse(text) as { error?: unknown; issues?: unknown };
      expect(typeof body.error === "string" && body.error.length > 0, `${label} → ${text.slice(0, 300)}`).toBe(true);
      if ("issues" in body) expect(Array.isArray(body.issues), label).toBe(true);
    }
    expect(await rowCounts(), `refused (${res.status}) yet wrote: ${label}`).toEqual(before);
  } else baseline = await rowCounts(); // an accepted request may write: the next refusal is measured from here
  return { status: res.status, text };
}
