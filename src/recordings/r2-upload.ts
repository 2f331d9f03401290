/** R2 multipart parts must be at least 5 MiB and (but for the last) all the same size. */
export const MULTIPART_PART_BYTES = 5 * 1024 * 1024;

/**
 * Streams a body into R2 without holding it in memory: one `put` through a FixedLengthStream when the length
 * is known (R2 needs it), else a multipart upload of fixed-size parts (at most one part buffered at a time).
 * A body that errors midway leaves no object behind.
 */
export async function putStream(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  length: number | null,
  options: R2PutOptions = {},
): Promise<R2Object> {
  // The body goes straight through, a native pipe with backpressure: a JS TransformStream in the path lets
  // workerd queue the whole body in memory (seen in bench/twilio; miniflare's local R2 put does exactly that).
  if (length !== null) return bucket.put(key, body.pipeThrough(new FixedLengthStream(length)), options);
  const upload = await bucket.createMultipartUpload(key, options);
  try {
    const parts: R2UploadedPart[] = [];
    let part = new Uint8Array(MULTIPART_PART_BYTES);
    let filled = 0;
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let at = 0; at < value.length; ) {
        const n = Math.min(value.length - at, part.length - filled);
        part.set(value.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === part.length) {
          parts.push(await upload.uploadPart(parts.length + 1, part));
          part = new Uint8Array(MULTIPART_PART_BYTES);
          filled = 0;
        }
      }
    }
    if (filled > 0 || parts.length === 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
    return await upload.complete(parts);
  } catch (e) {
    await upload.abort().catch(() => undefined);
    throw e;
  }
}
