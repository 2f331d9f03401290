/**
 * Uploads numbered parts of one R2 object without holding the object: the producer asks for a part buffer,
 * fills it, and hands it back with its part number; up to MAX_IN_FLIGHT parts upload while the next is being
 * filled (memory: that many parts + one). Parts may come in any order and some may have been uploaded
 * earlier (a recording draft's parts): `complete` takes those too. R2 wants ≥ 5 MiB parts, all of one size
 * but the last.
 */
export const PART_BYTES = 8 * 1024 * 1024;
export const MAX_IN_FLIGHT = 3;

export class R2PartWriter {
  private parts: R2UploadedPart[] = [];
  private inFlight = new Set<Promise<void>>();
  private failure: unknown = null;
  /** Full-size part buffers whose upload finished, reused so a long upload allocates MAX_IN_FLIGHT + 1 in all. */
  private spare: Uint8Array[] = [];
  /** Time spent blocked on R2 (waiting for a free part slot, completing): the rest is the producer's. */
  waitMs = 0;

  constructor(
    private readonly upload: R2MultipartUpload,
    private readonly partBytes = PART_BYTES,
  ) {}

  /** A buffer for the next part, once a slot is free. */
  async buffer(size: number): Promise<Uint8Array> {
    if (size > this.partBytes) throw new RangeError(`a part holds at most ${this.partBytes} bytes`);
    const waited = Date.now();
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    this.waitMs += Date.now() - waited;
    if (this.failure) throw this.failure;
    return size === this.partBytes ? (this.spare.pop() ?? new Uint8Array(size)) : new Uint8Array(size);
  }

  /** Starts uploading a filled buffer as `partNumber` (1-based); failures surface at the next buffer or at complete. */
  send(partNumber: number, body: Uint8Array): void {
    const p: Promise<void> = this.upload
      .uploadPart(partNumber, body)
      .then((part) => {
        this.parts.push(part);
        if (body.length === this.partBytes) this.spare.push(body);
      })
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Waits for the parts in flight and completes the object from them and `earlier` (uploaded before). */
  async complete(earlier: R2UploadedPart[] = []): Promise<R2Object> {
    const waited = Date.now();
    await this.settle();
    const obj = await this.upload.complete([...earlier, ...this.parts].sort((a, b) => a.partNumber - b.partNumber));
    this.waitMs += Date.now() - waited;
    return obj;
  }

  async abort(): Promise<void> {
    await this.settle().catch(() => undefined);
    await this.upload.abort().catch(() => undefined);
  }
}
