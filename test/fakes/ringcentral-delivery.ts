/**
 * How the RingCentral fake (ringcentral.ts) sends webhooks: the validation handshake on subscription create, and
 * notifications. An app registered with `relay: false` gets them by a real HTTP POST to the subscription's address
 * (a Worker under `npm start`); with `relay: true` (the tests: the test Worker has no port the fake could reach)
 * they wait in an outbox that the test drains and answers:
 *
 *   GET  /__fake/outbox/next?clientId=…&timeoutMs=…  → 200 {id, url, headers, body} | 204 when none came in time
 *   POST /__fake/outbox/{id}                          {status, headers, body}: what the Worker answered
 */
import { randomUUID } from "node:crypto";

export interface Delivery {
  id: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryResult {
  /** 0 when nothing answered (unreachable, or nobody drained the outbox in time). */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How long a webhook may take before we count it as not answered (RingCentral allows the handshake 3 s). */
const ANSWER_TIMEOUT_MS = 15_000;

export class Deliveries {
  private readonly queues = new Map<string, Delivery[]>();
  private readonly waiters = new Map<string, ((d: Delivery | null) => void)[]>();
  private readonly pending = new Map<string, (r: DeliveryResult) => void>();

  /** POSTs `body` with `headers` to `url`, directly or through the client's outbox; resolves with the answer. */
  async send(
    clientId: string,
    relay: boolean,
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<DeliveryResult> {
    if (!relay) return post(url, headers, body);
    const d: Delivery = { id: randomUUID(), url, headers, body };
    const answered = new Promise<DeliveryResult>((resolve) => {
      this.pending.set(d.id, resolve);
      setTimeout(() => {
        if (this.pending.delete(d.id)) resolve({ status: 0, headers: {}, body: "" });
      }, ANSWER_TIMEOUT_MS).unref();
    });
    const waiter = this.waiters.get(clientId)?.shift();
    if (waiter) waiter(d);
    else this.queues.set(clientId, [...(this.queues.get(clientId) ?? []), d]);
    return answered;
  }

  /** The client's next delivery, waiting up to `timeoutMs` for one. */
  next(clientId: string, timeoutMs: number): Promise<Delivery | null> {
    const queued = this.queues.get(clientId)?.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const list = this.waiters.get(clientId) ?? [];
      list.push(resolve);
      this.waiters.set(clientId, list);
      setTimeout(() => {
        const i = list.indexOf(resolve);
        if (i >= 0) {
          list.splice(i, 1);
          resolve(null);
        }
      }, timeoutMs).unref();
    });
  }

  /** The Worker's answer to a relayed delivery; false when none is waiting for it. */
  answer(id: string, result: DeliveryResult): boolean {
    const resolve = this.pending.get(id);
    if (!resolve) return false;
    this.pending.delete(id);
    resolve(result);
    return true;
  }
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<DeliveryResult> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers,
      body: body || undefined,
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    const answered: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      answered[k] = v;
    });
    return { status: res.status, headers: answered, body: await res.text() };
  } catch {
    return { status: 0, headers: {}, body: "" };
  }
}

/** Bytes of an HTTP answer as RingCentral counts them for the handshake's 1024-byte limit: headers and body. */
export const answerSize = (r: DeliveryResult) =>
  Buffer.byteLength(r.body) +
  Object.entries(r.headers).reduce((n, [k, v]) => n + Buffer.byteLength(`${k}: ${v}\r\n`), 0);
