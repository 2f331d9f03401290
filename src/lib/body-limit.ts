import { concatBytes } from "./encoding";
import { ApiError } from "./errors";

/** 413 up front when the declared Content-Length is over the limit. */
export function checkContentLength(request: Request, limit: number, what: string): void {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit, what);
}

export const tooLarge = (limit: number, what: string) =>
  new ApiError(413, `${what} is larger than the limit of ${limit} bytes`, { limitBytes: limit });

/** Reads a request body, refusing (413) more than `limit` bytes whether or not Content-Length was sent. */
export async function readBytesLimited(request: Request, limit: number, what: string): Promise<Uint8Array> {
  checkContentLength(request, limit, what);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit, what);
    }
    parts.push(value);
  }
  return concatBytes(parts, n);
}

export const readTextLimited = async (request: Request, limit: number, what: string): Promise<string> =>
  new TextDecoder().decode(await readBytesLimited(request, limit, what));
