import { ApiError } from "../lib/errors";

/** Parses a single `bytes=` range against the object size; multi-range requests get the whole object. */
function parseRange(header: string | null, size: number): { offset: number; length: number } | null | "unsatisfiable" {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { offset: start, length: end - start + 1 };
}

/**
 * Streams an R2 object as an HTTP answer with `Range` support (206 / 416), so an audio element can seek.
 * The body is R2's stream: nothing is buffered in the isolate.
 */
export async function serveR2Object(
  bucket: R2Bucket,
  key: string,
  request: Request,
  filename?: string,
): Promise<Response> {
  const head = await bucket.head(key);
  if (!head) throw new ApiError(404, "Recording not found");
  const range = parseRange(request.headers.get("Range"), head.size);
  const headers = new Headers({
    "Content-Type": head.httpMetadata?.contentType ?? "audio/wav",
    "Accept-Ranges": "bytes",
    ETag: head.httpEtag,
    "Cache-Control": "private, max-age=0",
  });
  if (filename) headers.set("Content-Disposition", `inline; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`);
  if (range === "unsatisfiable") {
    // a refusal is JSON like every other error, whatever type the object it refuses has
    headers.set("Content-Type", "application/json");
    headers.set("Content-Range", `bytes */${head.size}`);
    return new Response(JSON.stringify({ error: "Range not satisfiable" }), { status: 416, headers });
  }
  const obj = await bucket.get(key, range ? { range } : undefined);
  if (!obj) throw new ApiError(404, "Recording not found");
  if (range) {
    headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${head.size}`);
    headers.set("Content-Length", String(range.length));
    return new Response(obj.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(head.size));
  return new Response(request.method === "HEAD" ? null : obj.body, { status: 200, headers });
}
