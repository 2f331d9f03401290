/**
 * Streams bytes of a known total size into R2 without holding them: one `put` when they fit in a part,
 * else a multipart upload of equal PART_BYTES parts (R2 wants ≥ 5 MiB and equal sizes except the last),
 * with one part uploading while the next is being filled.
 */
export const PART_BYTES = 8 * 1024 * 1024;

export class R2PartWriter {
  private buf: Uint8Array;
  private used = 0;
  private written = 0;
  private upload: R2MultipartUpload | null = null;
  private parts: R2UploadedPart[] = [];
  private inFlight: Promise<void> | null = null;
  private nextPart = 1;

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
    this.upload ??= await this.bucket.createMultipartUpload(this.key, { httpMetadata: this.httpMetadata });
    const upload = this.upload;
    const body = this.buf.length === this.used ? this.buf : this.buf.subarray(0, this.used);
    const partNumber = this.nextPart++;
    await this.inFlight;
    this.inFlight = upload.uploadPart(partNumber, body).then((p) => {
      this.parts.push(p);
    });
    this.buf = new Uint8Array(Math.min(this.partBytes, this.totalBytes - this.written));
    this.used = 0;
  }

  /** Finishes the object; the R2 object's size. */
  async close(): Promise<number> {
    if (this.written !== this.totalBytes) throw new RangeError(`wrote ${this.written} of ${this.totalBytes} bytes`);
    if (!this.upload && this.used === this.totalBytes) {
      const obj = await this.bucket.put(this.key, this.buf, { httpMetadata: this.httpMetadata });
      return obj.size;
    }
    await this.sendPart();
    await this.inFlight;
    this.inFlight = null;
    const obj = await this.upload!.complete(this.parts.sort((a, b) => a.partNumber - b.partNumber));
    return obj.size;
  }

  async abort(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    await this.upload?.abort().catch(() => undefined);
  }
}
