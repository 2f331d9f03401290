import type { Context } from "hono";
import { sha256Hex } from "./hash";

/** `If-None-Match` matches when any listed tag (weak or strong) equals ours, or it is `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === bare;
  });
}

/**
 * A JSON answer a client may keep for `maxAge` seconds: private (it is one tenant's data), with a strong ETag
 * over the exact body, and 304 without a body when the client already holds it.
 */
export async function cachedJson(c: Context, body: unknown, maxAge: number): Promise<Response> {
  const text = JSON.stringify(body);
  const etag = `"${(await sha256Hex(text)).slice(0, 32)}"`;
  const headers = { ETag: etag, "Cache-Control": `private, max-age=${maxAge}`, Vary: "Authorization" };
  if (matches(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
  return c.body(text, 200, { ...headers, "Content-Type": "application/json" });
}
