import { R2PartWriter } from "./r2-part-writer";

/** Parts of a body streamed in without a known length (R2 wants ≥ 5 MiB, all one size but the last). */
export const MULTIPART_PART_BYTES = 5 * 1024 * 1024;

/**
 * Streams a body into R2 without holding it in memory: one `put` through a FixedLengthStream when the length
 * is known (R2 needs it), else a multipart upload of fixed-size parts through the R2PartWriter. A body that
 * errors midway leaves no object behind.
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
  const writer = new R2PartWriter(await bucket.createMultipartUpload(key, options), MULTIPART_PART_BYTES);
  try {
    let partNumber = 1;
    let part = await writer.buffer(MULTIPART_PART_BYTES);
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
          writer.send(partNumber++, part);
          part = await writer.buffer(MULTIPART_PART_BYTES);
          filled = 0;
        }
      }
    }
    if (filled > 0 || partNumber === 1) writer.send(partNumber, part.subarray(0, filled));
    return await writer.complete();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
