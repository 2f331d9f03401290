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
  if (length !== null) {
    const fixed = new FixedLengthStream(length);
    // a source that fails midway errors the put below; the pipe's own rejection is that same failure
    body.pipeTo(fixed.writable).catch(() => undefined);
    return bucket.put(key, fixed.readable, options);
  }
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

/**
 * A pass-through stream that keeps a copy of the first `bytes` bytes, e.g. a file header to read once the
 * upload is done, and can refuse the stream from them early (`check` throws).
 */
export function headSniffer(bytes: number, check?: (head: Uint8Array) => void) {
  const head = new Uint8Array(bytes);
  let seen = 0;
  let checked = false;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (seen < bytes) {
        const n = Math.min(bytes - seen, chunk.length);
        head.set(chunk.subarray(0, n), seen);
        seen += n;
      }
      if (!checked && check && seen >= Math.min(bytes, 12)) {
        checked = true;
        check(head.subarray(0, seen));
      }
      controller.enqueue(chunk);
    },
    flush() {
      if (!checked && check) check(head.subarray(0, seen));
    },
  });
  return { stream, head: () => head.subarray(0, seen) };
}
