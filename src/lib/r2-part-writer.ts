/**
 * Streams bytes of a known total size into R2 without holding them: one `put` when they fit in a part,
 * else a multipart upload of equal PART_BYTES parts (R2 wants ≥ 5 MiB and equal sizes except the last),
 * with up to MAX_IN_FLIGHT parts uploading while the next is being filled (memory: that many parts + one).
 */
export const PART_BYTES = 8 * 1024 * 1024;
export const MAX_IN_FLIGHT = 3;

export class R2PartWriter {
  private buf: Uint8Array;
  private used = 0;
  private written = 0;
  private upload: R2MultipartUpload | null = null;
  private parts: R2UploadedPart[] = [];
  private inFlight = new Set<Promise<void>>();
  private failure: unknown = null;
  private nextPart = 1;
  /** Part buffers whose upload finished, reused so a long upload allocates MAX_IN_FLIGHT + 1 buffers in all. */
  private spare: Uint8Array[] = [];
  /** Time spent blocked on R2 (creating the upload, waiting for a free part slot, completing): the rest is the producer's. */
  waitMs = 0;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly key: string,
    readonly totalBytes: number,
    private readonly httpMetadata: R2HTTPMetadata,
    private readonly partBytes = PART_BYTES,
  ) {
    this.buf = new Uint8Array(Math.min(totalBytes, partBytes));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.written + bytes.length > this.totalBytes) throw new RangeError("more bytes than announced");
    let o = 0;
    while (o < bytes.length) {
      const n = Math.min(bytes.length - o, this.buf.length - this.used);
      this.buf.set(bytes.subarray(o, o + n), this.used);
      this.used += n;
      o += n;
      this.written += n;
      if (this.used === this.buf.length && this.written < this.totalBytes) await this.sendPart();
    }
  }

  private async sendPart(): Promise<void> {
    const waited = Date.now();
    this.upload ??= await this.bucket.createMultipartUpload(this.key, { httpMetadata: this.httpMetadata });
    const upload = this.upload;
    const body = this.buf.length === this.used ? this.buf : this.buf.subarray(0, this.used);
    const partNumber = this.nextPart++;
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    this.waitMs += Date.now() - waited;
    if (this.failure) throw this.failure;
    const p: Promise<void> = upload
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
    const size = Math.min(this.partBytes, this.totalBytes - this.written);
    this.buf = size === this.partBytes ? (this.spare.pop() ?? new Uint8Array(size)) : new Uint8Array(size);
    this.used = 0;
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Finishes the object; the R2 object's size. */
  async close(): Promise<number> {
    if (this.written !== this.totalBytes) throw new RangeError(`wrote ${this.written} of ${this.totalBytes} bytes`);
    const waited = Date.now();
    if (!this.upload && this.used === this.totalBytes) {
      const obj = await this.bucket.put(this.key, this.buf, { httpMetadata: this.httpMetadata });
      this.waitMs += Date.now() - waited;
      return obj.size;
    }
    await this.sendPart();
    const settling = Date.now();
    await this.settle();
    const obj = await this.upload!.complete(this.parts.sort((a, b) => a.partNumber - b.partNumber));
    this.waitMs += Date.now() - settling;
    return obj.size;
  }

  async abort(): Promise<void> {
    await this.settle().catch(() => undefined);
    await this.upload?.abort().catch(() => undefined);
  }
}
