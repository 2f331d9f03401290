import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePhoneToken } from "../../src/auth/phone-token";
import { pcm16Wav } from "../../src/audio/wav";
import { api, json, openaiFake, provisionTenant, type Tenant } from "../helpers";

const MAX = 25 * 1024 * 1024;

function form(parts: [string, string | Blob, string?][]): FormData {
  const fd = new FormData();
  for (const [k, v, name] of parts) typeof v === "string" ? fd.append(k, v) : fd.append(k, v, name);
  return fd;
}
const post = (t: Tenant | string, body: BodyInit, headers?: HeadersInit) =>
  api("/api/Transcriptions/file", { method: "POST", token: typeof t === "string" ? t : t.token, body, headers });
const log = async (t: Tenant) =>
  json<{ model: string; filename: string; contentType: string; bytes: number; fields: string[] }[]>(
    await openaiFake(`/transcriptions/requests?apiKey=${t.openaiKey}`),
  );

/** A hand-built multipart stream without Content-Length: header, `size` bytes of file, trailer. */
function chunkedUpload(size: number): { body: ReadableStream<Uint8Array>; type: string } {
  const b = "xyzBoundary42";
  const head = new TextEncoder().encode(
    `--${b}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = new TextEncoder().encode(`\r\n--${b}--\r\n`);
  const block = new Uint8Array(1024 * 1024).fill(7);
  let left = size;
  let stage = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (stage === 0) (stage = 1), c.enqueue(head);
      else if (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        c.enqueue(block.subarray(0, n));
      } else if (stage === 1) (stage = 2), c.enqueue(tail);
      else c.close();
    },
  });
  return { body, type: `multipart/form-data; boundary=${b}` };
}

describe("POST /api/Transcriptions/file", () => {
  it("streams the file to OpenAI with the tenant's model and answers {text}", async () => {
    const t = await provisionTenant();
    const wav = pcm16Wav(new Int16Array(8000).fill(1500), 1, 8000);
    const res = await post(
      t,
      form([
        ["language", "en"],
        ["file", new Blob([wav], { type: "audio/wav" }), "hello.wav"],
        ["ignored", "x"],
      ]),
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ text: "wav 1000 ms peak 1500 mean 1500" });
    const [req] = await log(t);
    expect(req).toMatchObject({
      model: "gpt-4o-transcribe",
      filename: "hello.wav",
      contentType: "audio/wav",
      bytes: wav.length,
    });
    expect(req!.fields.sort()).toEqual(["file", "language", "model", "response_format"]);
  });

  it("names a file without an extension from its content type", async () => {
    const t = await provisionTenant();
    const res = await post(
      t,
      form([["file", new Blob([new Uint8Array(3000).fill(1)], { type: "audio/mpeg" }), "clip"]]),
    );
    expect(await json(res)).toEqual({ text: "file clip.mp3 3000 bytes" });
  });

  it("answers 400 for a missing or empty file and for a body that is not multipart", async () => {
    const t = await provisionTenant();
    const missing = await post(t, form([["language", "en"]]));
    expect(missing.status).toBe(400);
    expect((await json(missing)).error).toMatch(/Missing file/);
    const empty = await post(t, form([["file", new Blob([]), "a.wav"]]));
    expect(empty.status).toBe(400);
    expect((await json(empty)).error).toMatch(/empty/);
    const notMultipart = await post(t, JSON.stringify({ file: "x" }), { "Content-Type": "application/json" });
    expect(notMultipart.status).toBe(400);
    const broken = await post(t, '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nabc', {
      "Content-Type": "multipart/form-data; boundary=zz",
    });
    expect(broken.status).toBe(400);
    expect(await log(t)).toEqual([]);
  });

  it("answers 413 beyond 25 MiB, from Content-Length or while streaming a chunked body", async () => {
    const t = await provisionTenant();
    const big = await post(t, form([["file", new Blob([new Uint8Array(MAX + 100 * 1024)]), "big.wav"]]));
    expect(big.status).toBe(413);
    expect(await json(big)).toMatchObject({ limitBytes: MAX + 64 * 1024 });
    const { body, type } = chunkedUpload(MAX + 1);
    const chunked = await post(t, body, { "Content-Type": type });
    expect(chunked.status).toBe(413);
    expect(await json(chunked)).toMatchObject({ error: expect.stringMatching(/The file is larger/), limitBytes: MAX });
    // exactly at the limit is fine
    const ok = chunkedUpload(MAX);
    const atLimit = await post(t, ok.body, { "Content-Type": ok.type });
    expect(atLimit.status).toBe(200);
    expect(await json(atLimit)).toEqual({ text: `file big.wav ${MAX} bytes` });
  });

  it("answers a clear 4xx when the tenant cannot transcribe", async () => {
    const wav = new Blob([pcm16Wav(new Int16Array(80), 1, 8000)]);
    const noKey = await provisionTenant({ openai: false });
    let res = await post(noKey, form([["file", wav, "a.wav"]]));
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatch(/no OpenAI API key/);
    const inactive = await provisionTenant({ transcriptionActive: false });
    res = await post(inactive, form([["file", wav, "a.wav"]]));
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatch(/not active/);
  });

  it("maps OpenAI's refusals: a bad file stays 400, a refused key is 502", async () => {
    const t = await provisionTenant();
    const res = await post(t, form([["file", new Blob(["hello"], { type: "text/plain" }), "notes.txt"]]));
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatch(/Invalid file format/);
    await openaiFake(`/transcriptions/fail?apiKey=${t.openaiKey}`, {
      method: "POST",
      body: JSON.stringify({ status: 401, message: "Incorrect API key provided" }),
    });
    const refused = await post(t, form([["file", new Blob([pcm16Wav(new Int16Array(80), 1, 8000)]), "a.wav"]]));
    expect(refused.status).toBe(502);
    const body = await json(refused);
    expect(body).toMatchObject({
      error: expect.stringMatching(/refused this customer's API key/),
      upstreamStatus: 401,
    });
    expect(JSON.stringify(body)).not.toContain(t.openaiKey!);
  });

  it("is for reps only", async () => {
    const t = await provisionTenant();
    const { token } = await issuePhoneToken(env, t.customerId, "+32470123456");
    expect((await post(token, form([["file", new Blob(["x"]), "a.wav"]]))).status).toBe(403);
    expect(
      (await api("/api/Transcriptions/file", { method: "POST", body: form([["file", new Blob(["x"]), "a.wav"]]) }))
        .status,
    ).toBe(401);
  });
});
