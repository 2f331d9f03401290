import { inject } from "vitest";
import { hex } from "../../helpers";
import type { Command } from "../../fakes/telnyx/calls";

/** TELNYX_API_BASE_URL of the tests: the fake's /v2 (its control endpoints are beside it). */
export const telnyxApiBase = () => inject("telnyxBaseUrl");
export const telnyxOrigin = () => telnyxApiBase().replace(/\/v2$/, "");

/** Control channel of the fake Telnyx (runs in Node, reached over loopback). */
export async function telnyxFake<T = Record<string, unknown>>(
  path: string,
  body?: unknown,
  method?: string,
): Promise<T> {
  const res = await fetch(`${telnyxOrigin()}/__fake${path}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake telnyx ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface TelnyxAccount {
  apiKey: string;
  connectionId: string;
  number: string;
  publicKey: string;
  publicKeyPem: string;
}

/** A Telnyx account of its own for each test (the fake keeps state per API key). */
export async function newTelnyxAccount(): Promise<TelnyxAccount> {
  const apiKey = `KEY${hex(16).toUpperCase()}_${hex(8)}`;
  const connectionId = String(BigInt(`0x${hex(7)}`));
  const number = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  const keys = await telnyxFake<{ publicKey: string; publicKeyPem: string }>("/accounts", {
    apiKey,
    connectionId,
    numbers: [number],
  });
  return { apiKey, connectionId, number, ...keys };
}

export const telnyxCommands = (a: TelnyxAccount) =>
  telnyxFake<Command[]>(`/commands?apiKey=${encodeURIComponent(a.apiKey)}`);

/** A WebSocket opened from inside workerd (to the fake), with what it received kept in order. */
export class Socket {
  readonly frames: string[] = [];
  closed: { code: number } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      this.frames.push(String(e.data));
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code };
    });
  }

  static async open(wsUrl: string): Promise<Socket> {
    const res = await fetch(wsUrl.replace(/^ws/, "http"), { headers: { Upgrade: "websocket" } });
    if (!res.webSocket) throw new Error(`no WebSocket upgrade: ${res.status} ${await res.text()}`);
    res.webSocket.accept();
    return new Socket(res.webSocket);
  }

  send(frame: string) {
    this.ws.send(frame);
  }

  /** Resolves once `pred` holds (checked as frames arrive), or fails naming what it waited for. */
  async until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.frames.length} frames`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Polls the fake until `pred` holds for what it returns. */
export async function eventuallyFake<T>(path: string, pred: (v: T) => boolean, what: string, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await telnyxFake<T>(path);
    if (pred(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The error a promise fails with (the test fails if it resolves or fails with something else). */
export async function failureOf<E extends Error>(
  p: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof type)) throw new Error(`expected a ${type.name}, got ${e instanceof Error ? e.stack : String(e)}`);
  return e;
}
