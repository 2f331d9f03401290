import type { AudioStore } from "./audio-store";

/** Per store: the chain its finalizes and draft steps run on, one after another, and how many finalizes wait in it. */
export interface StoreQueue {
  tail: Promise<unknown>;
  finalizesWaiting: number;
}
const queues = new WeakMap<AudioStore, StoreQueue>();

export function queueOf(store: AudioStore): StoreQueue {
  let q = queues.get(store);
  if (!q) queues.set(store, (q = { tail: Promise.resolve(), finalizesWaiting: 0 }));
  return q;
}

export function enqueue<T>(queue: StoreQueue, job: () => Promise<T>): Promise<T> {
  const next = queue.tail.catch(() => undefined).then(job);
  queue.tail = next;
  return next;
}
