/**
 * A streaming multipart/form-data reader: yields each part's headers, then its bytes as they arrive, so a
 * large file can be forwarded without ever being held (Request.formData() would buffer it whole).
 */

export class MultipartError extends Error {
  override name = "MultipartError";
}

export type MultipartEvent =
  | { kind: "part"; name: string; filename: string | null; contentType: string | null }
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "end" };

const enc = new TextEncoder();

/** The boundary of a `multipart/form-data` Content-Type, or null. */
export function multipartBoundary(contentType: string | null | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2] ?? null;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

function dispositionParam(header: string, param: string): string | null {
  const m = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${param}=([^;\\s]+)`, "i").exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!;
}

export async function* multipartEvents(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  maxHeaderBytes = 16 * 1024,
): AsyncGenerator<MultipartEvent> {
  const reader = body.getReader();
  let buf = new Uint8Array(0);
  const fill = async (): Promise<boolean> => {
    const { done, value } = await reader.read();
    if (done) return false;
    const next = new Uint8Array(buf.length + value.byteLength);
    next.set(buf);
    next.set(value, buf.length);
    buf = next;
    return true;
  };
  const need = async (n: number) => {
    while (buf.length < n) if (!(await fill())) throw new MultipartError("the multipart body ended early");
  };
  try {
    // preamble, then the first dash-boundary
    const dash = enc.encode(`--${boundary}`);
    let at: number;
    while ((at = indexOf(buf, dash)) < 0) {
      if (buf.length > maxHeaderBytes) throw new MultipartError("no multipart boundary found");
      if (!(await fill())) throw new MultipartError("no multipart boundary found");
    }
    buf = buf.subarray(at + dash.length);
    const delim = enc.encode(`\r\n--${boundary}`);
    const crlf2 = enc.encode("\r\n\r\n");
    for (;;) {
      await need(2);
      if (buf[0] === 0x2d && buf[1] === 0x2d) return; // "--": close delimiter
      if (buf[0] !== 0x0d || buf[1] !== 0x0a) throw new MultipartError("malformed multipart delimiter");
      buf = buf.subarray(2);
      // headers
      let end: number;
      while ((end = indexOf(buf, crlf2)) < 0) {
        if (buf.length > maxHeaderBytes) throw new MultipartError("multipart part headers too large");
        if (!(await fill())) throw new MultipartError("the multipart body ended early");
      }
      const headers = new TextDecoder().decode(buf.subarray(0, end)).split("\r\n");
      buf = buf.subarray(end + 4);
      const header = (n: string) =>
        headers
          .find((h) => h.toLowerCase().startsWith(`${n}:`))
          ?.slice(n.length + 1)
          .trim() ?? null;
      const disposition = header("content-disposition");
      const name = disposition ? dispositionParam(disposition, "name") : null;
      if (!disposition || name === null) throw new MultipartError("a multipart part has no form-data name");
      yield {
        kind: "part",
        name,
        filename: dispositionParam(disposition, "filename"),
        contentType: header("content-type"),
      };
      // body, streamed up to the next delimiter
      for (;;) {
        const i = indexOf(buf, delim);
        if (i >= 0) {
          if (i > 0) yield { kind: "data", bytes: buf.subarray(0, i) };
          buf = buf.subarray(i + delim.length);
          yield { kind: "end" };
          break;
        }
        const safe = buf.length - (delim.length - 1);
        if (safe > 0) {
          yield { kind: "data", bytes: buf.subarray(0, safe) };
          buf = buf.subarray(safe);
        }
        if (!(await fill())) throw new MultipartError("the multipart body ended inside a part");
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
