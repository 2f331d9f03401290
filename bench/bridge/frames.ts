/**
 * Bench frames carry their identity in the audio bytes, which every hop passes through unchanged:
 * [0xA5 0x5A][call u16][seq u32][silence…]. Matching scans the bytes, so it also survives a hop that re-chunks.
 */
export const FRAME_BYTES = 160;
const MAGIC0 = 0xa5;
const MAGIC1 = 0x5a;
const HEADER = 8;

export function makeFrame(call: number, seq: number): Buffer {
  const b = Buffer.alloc(FRAME_BYTES, 0xff);
  b[0] = MAGIC0;
  b[1] = MAGIC1;
  b.writeUInt16BE(call, 2);
  b.writeUInt32BE(seq, 4);
  return b;
}

/** Per call: finds the sequence numbers in returned audio, keeping a tail in case a header straddles payloads. */
export class FrameMatcher {
  private tail: Buffer = Buffer.alloc(0);
  constructor(
    private readonly call: number,
    private readonly maxSeq: number,
  ) {}

  *match(payload: Buffer): Generator<number> {
    if (
      this.tail.length === 0 &&
      payload.length >= HEADER &&
      payload[0] === MAGIC0 &&
      payload[1] === MAGIC1 &&
      payload.readUInt16BE(2) === this.call
    ) {
      const seq = payload.readUInt32BE(4);
      if (seq <= this.maxSeq) {
        yield seq;
        if (payload.length === FRAME_BYTES) return;
      }
    }
    const buf = this.tail.length ? Buffer.concat([this.tail, payload]) : payload;
    const skip = this.tail.length === 0 && payload[0] === MAGIC0 ? 1 : 0;
    for (let i = skip; i + HEADER <= buf.length; i++) {
      if (buf[i] !== MAGIC0 || buf[i + 1] !== MAGIC1 || buf.readUInt16BE(i + 2) !== this.call) continue;
      const seq = buf.readUInt32BE(i + 4);
      if (seq <= this.maxSeq) {
        yield seq;
        i += HEADER - 1;
      }
    }
    this.tail = Buffer.from(buf.subarray(Math.max(0, buf.length - (HEADER - 1))));
  }
}
