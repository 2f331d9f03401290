/**
 * Splits one channel into utterances on silence, streaming: push 16-bit samples as they are read, get back
 * the utterances that closed. Offsets come from here (gpt-4o-transcribe answers only `json`, without
 * timestamps): every utterance is transcribed on its own and carries the offset of its first sample.
 */

export interface Utterance {
  /** Index of the first sample within the channel. */
  startSample: number;
  samples: Int16Array;
}

export interface SplitterOptions {
  sampleRate: number;
  /** Mean absolute amplitude above which a 20 ms frame counts as speech (≈ −38 dBFS by default). */
  threshold?: number;
  /** Silence that ends an utterance. */
  minSilenceMs?: number;
  /** Audio kept before the first and after the last voiced frame, so words are not clipped. */
  padMs?: number;
  /** Utterances shorter than this much voiced audio are dropped as clicks. */
  minVoicedMs?: number;
  /** An utterance longer than this is cut on a sample boundary (the API's upload limit). */
  maxSamples: number;
}

export class UtteranceSplitter {
  private readonly frame: number;
  private readonly threshold: number;
  private readonly silenceFrames: number;
  private readonly padFrames: number;
  private readonly minVoiced: number;
  private readonly maxSamples: number;
  /** Samples not yet forming a whole frame. */
  private partial: Int16Array;
  private partialLen = 0;
  /** Recent unvoiced frames kept as pre-roll while outside an utterance. */
  private preroll: Int16Array[] = [];
  private pos = 0; // index of the next frame's first sample
  private cur: {
    start: number;
    parts: Int16Array[];
    len: number;
    voicedLen: number;
    trailing: number;
    voiced: number;
  } | null = null;

  constructor(o: SplitterOptions) {
    this.frame = Math.round(o.sampleRate / 50);
    this.threshold = o.threshold ?? 400;
    this.silenceFrames = Math.ceil((o.minSilenceMs ?? 800) / 20);
    this.padFrames = Math.ceil((o.padMs ?? 200) / 20);
    this.minVoiced = Math.ceil((o.minVoicedMs ?? 60) / 20);
    this.maxSamples = Math.max(this.frame, o.maxSamples);
    this.partial = new Int16Array(this.frame);
  }

  push(samples: Int16Array): Utterance[] {
    const out: Utterance[] = [];
    let i = 0;
    if (this.partialLen > 0) {
      const n = Math.min(this.frame - this.partialLen, samples.length);
      this.partial.set(samples.subarray(0, n), this.partialLen);
      this.partialLen += n;
      i = n;
      if (this.partialLen === this.frame) {
        this.onFrame(this.partial.slice(), out);
        this.partialLen = 0;
      }
    }
    for (; i + this.frame <= samples.length; i += this.frame) this.onFrame(samples.slice(i, i + this.frame), out);
    if (i < samples.length) {
      this.partial.set(samples.subarray(i), 0);
      this.partialLen = samples.length - i;
    }
    return out;
  }

  /** Flushes the last (partial) frame and any open utterance. */
  end(): Utterance[] {
    const out: Utterance[] = [];
    if (this.partialLen > 0) this.onFrame(this.partial.slice(0, this.partialLen), out);
    this.partialLen = 0;
    this.close(out);
    return out;
  }

  private onFrame(f: Int16Array, out: Utterance[]): void {
    let sum = 0;
    for (let k = 0; k < f.length; k++) sum += f[k]! < 0 ? -f[k]! : f[k]!;
    const voiced = sum / f.length > this.threshold;
    const start = this.pos;
    this.pos += f.length;
    const cur = this.cur;
    if (!cur) {
      if (!voiced) {
        this.preroll.push(f);
        if (this.preroll.length > this.padFrames) this.preroll.shift();
        return;
      }
      const pre = this.preroll;
      const preLen = pre.reduce((a, p) => a + p.length, 0);
      this.cur = {
        start: start - preLen,
        parts: [...pre, f],
        len: preLen + f.length,
        voicedLen: preLen + f.length,
        trailing: 0,
        voiced: 1,
      };
      this.preroll = [];
      this.cutIfLong(out);
      return;
    }
    cur.parts.push(f);
    cur.len += f.length;
    if (voiced) {
      cur.voiced++;
      cur.trailing = 0;
      cur.voicedLen = cur.len;
    } else if (++cur.trailing >= this.silenceFrames) {
      this.close(out);
      return;
    }
    this.cutIfLong(out);
  }

  private cutIfLong(out: Utterance[]): void {
    const cur = this.cur;
    if (!cur || cur.len < this.maxSamples) return;
    const all = join(cur.parts, cur.len);
    out.push({ startSample: cur.start, samples: all.slice(0, this.maxSamples) });
    const rest = all.slice(this.maxSamples);
    this.cur = rest.length
      ? {
          start: cur.start + this.maxSamples,
          parts: [rest],
          len: rest.length,
          voicedLen: rest.length,
          trailing: 0,
          voiced: this.minVoiced,
        }
      : null;
  }

  /** Emits the open utterance, trimmed to its last voiced frame plus the padding. */
  private close(out: Utterance[]): void {
    const cur = this.cur;
    this.cur = null;
    this.preroll = [];
    if (!cur || cur.voiced < this.minVoiced) return;
    const keep = Math.min(cur.len, cur.voicedLen + this.padFrames * this.frame);
    out.push({ startSample: cur.start, samples: join(cur.parts, cur.len).slice(0, keep) });
  }
}

function join(parts: Int16Array[], n: number): Int16Array {
  const out = new Int16Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
