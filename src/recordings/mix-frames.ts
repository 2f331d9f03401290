import { addMulaw, writeClippedStereo, writeMulawStereo } from "../audio/mix";
import type { AudioStore } from "./audio-store";
import type { AudioSnapshot } from "./audio-types";
import { partFrames } from "./stereo-parts";

/** Mixes part `p` of the snapshot's WAV into `buf` (its exact size), the header first in part 1. Synchronous. */
export function mixPart(store: AudioStore, snap: AudioSnapshot, header: Uint8Array, p: number, buf: Uint8Array): void {
  const frames = snap.endSample - snap.startSample;
  const { from, to } = partFrames(p, frames);
  let offset = 0;
  if (p === 1) {
    buf.set(header);
    offset = header.length;
  }
  mixFrames(
    store,
    snap,
    snap.startSample + from,
    to - from,
    new Int16Array(buf.buffer, buf.byteOffset + offset, (to - from) * 2),
  );
}

/** Writes absolute samples [from, from + n) of both channels into interleaved `out` (n frames). */
export function mixFrames(store: AudioStore, snap: AudioSnapshot, from: number, n: number, out: Int16Array): void {
  const channels: StoredRow[][] = [[], []];
  for (const row of store.rowsOverlapping(snap, from, from + n)) channels[row.sender === "EndUser" ? 0 : 1]!.push(row);
  out.fill(0);
  channels.forEach((rows, ch) => {
    if (!overlapping(rows)) {
      for (const row of rows) writeMulawStereo(out, from, n, ch, row.start, row.audio);
      return;
    }
    const acc = new Int32Array(n); // rare: only a channel whose own chunks overlap
    for (const row of rows) addMulaw(acc, from, row.start, row.audio);
    writeClippedStereo(out, acc, n, ch);
  });
}

type StoredRow = { start: number; audio: Uint8Array };

/** Whether any two rows (ordered by start) share a sample. */
function overlapping(rows: StoredRow[]): boolean {
  let end = -Infinity;
  for (const r of rows) {
    if (r.start < end) return true;
    end = Math.max(end, r.start + r.audio.length);
  }
  return false;
}
