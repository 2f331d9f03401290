import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signRecordingUrl } from "../../src/recordings/signed-url";
import { BASE, api, json, provisionTenant, repToken } from "../helpers";
import { seedCall, wavBytes } from "../seed/calls";

/** The public download URL is on this Worker; strip the origin to call it through the Worker's fetch. */
const download = (url: string, headers: Record<string, string> = {}) => api(url.replace(BASE, ""), { headers });

describe("the three-step recording download", () => {
  it("lists, signs a 15-minute URL, and streams the WAV with no auth and Range support", async () => {
    const t = await provisionTenant();
    const wav = wavBytes(4000);
    const call = await seedCall(t.customerId, { direction: "Outbound", recordingBytes: wav, durationSeconds: 245 });
    const listed = await json<{ items: { id: string }[] }>(
      await api("/api/v1/voice-calls?state=Completed&direction=Outbound", { token: t.token }),
    );
    expect(listed.items.map((c) => c.id)).toEqual([call.id]);

    const before = Date.now();
    const res = await api(`/api/v1/voice-calls/${call.id}/recording-url`, { token: t.token });
    expect(res.status).toBe(200);
    const { recordingUrl, expiresAt } = await json<{ recordingUrl: string; expiresAt: string }>(res);
    expect(recordingUrl).toMatch(
      new RegExp(`^${BASE}/api/recordings/download/rec_[0-9a-f]+\\?exp=\\d+&sig=[0-9a-f]{64}$`),
    );
    // 15 minutes from when the Worker signed it (whole seconds), which is between `before` and now.
    const after = Date.now();
    expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 15 * 60_000);
    expect(Date.parse(expiresAt)).toBeLessThanOrEqual(after + 15 * 60_000);

    const whole = await download(recordingUrl);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("Content-Type")).toBe("audio/wav");
    expect(whole.headers.get("Accept-Ranges")).toBe("bytes");
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(wav);

    const part = await download(recordingUrl, { Range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe(`bytes 100-199/${wav.length}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(wav.slice(100, 200));
    const beyond = await download(recordingUrl, { Range: `bytes=${wav.length}-` });
    expect(beyond.status).toBe(416);
    // a refusal like any other: JSON, labelled as such (not as the audio it refuses to send)
    expect(beyond.headers.get("Content-Type")).toBe("application/json");
    expect(beyond.headers.get("Content-Range")).toBe(`bytes */${wav.length}`);
    expect(await beyond.json()).toEqual({ error: "Range not satisfiable" });
  });

  it("refuses expired, tampered and re-targeted URLs with 403", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const callA = await seedCall(a.customerId, { recordingBytes: wavBytes(100) });
    const callB = await seedCall(b.customerId, { recordingBytes: wavBytes(100) });
    const urlOf = async (t: typeof a, id: string) =>
      (await json<{ recordingUrl: string }>(await api(`/api/v1/voice-calls/${id}/recording-url`, { token: t.token })))
        .recordingUrl;
    const good = await urlOf(a, callA.id);
    const goodB = await urlOf(b, callB.id);
    const recB = /download\/([^?]+)/.exec(goodB)?.[1] ?? "";
    const expired = await signRecordingUrl(
      env,
      BASE,
      /download\/([^?]+)/.exec(good)?.[1] ?? "",
      Date.now() - 16 * 60_000,
    );
    const u = new URL(good);
    const flipped = u.searchParams.get("sig")?.replace(/^./, (ch) => (ch === "0" ? "1" : "0")) ?? "";
    const laterExp = String(Number(u.searchParams.get("exp")) + 3600);
    for (const bad of [
      expired.url,
      good.replace(/sig=[0-9a-f]+/, `sig=${flipped}`),
      good.replace(/exp=\d+/, `exp=${laterExp}`),
      good.replace(/download\/[^?]+/, `download/${recB}`), // A's signature on B's recording
      good.replace(/&sig=[0-9a-f]+/, ""),
      good.split("?")[0] ?? "",
    ]) {
      const res = await download(bad);
      expect(res.status, bad).toBe(403);
      expect(await json(res)).toEqual({ error: "This recording URL is invalid or has expired; request a new one" });
    }
    expect((await download(good)).status).toBe(200);
  });

  it("is a 404 for a deleted customer's recording at once, before its purge reaches the WAV", async () => {
    const urlOf = async (t: { token: string }, id: string) =>
      (await json<{ recordingUrl: string }>(await api(`/api/v1/voice-calls/${id}/recording-url`, { token: t.token })))
        .recordingUrl;
    // Through the admin API: the purge is queued, the URL is dead right away.
    const t = await provisionTenant();
    const url = await urlOf(t, (await seedCall(t.customerId, { recordingBytes: wavBytes(100) })).id);
    expect((await download(url)).status).toBe(200);
    expect(
      (await api(`/api/admin/customers/${t.customerId}`, { method: "DELETE", token: env.ADMIN_TOKEN })).status,
    ).toBe(202);
    const gone = await download(url);
    expect(gone.status).toBe(404);
    expect(await json(gone)).toEqual({ error: "Recording not found" });
    // Deterministically, as the moment between the DELETE and the purge: the row and the WAV are still there.
    const u = await provisionTenant();
    const call = await seedCall(u.customerId, { recordingBytes: wavBytes(100) });
    const url2 = await urlOf(u, call.id);
    expect((await download(url2)).status).toBe(200);
    await env.DB.prepare("UPDATE customers SET deleted_at = ?2 WHERE id = ?1")
      .bind(u.customerId, new Date().toISOString())
      .run();
    const rec = await env.DB.prepare("SELECT r2_key FROM recordings WHERE call_id = ?1")
      .bind(call.id)
      .first<{ r2_key: string }>();
    expect(await env.RECORDINGS.head(rec!.r2_key)).not.toBeNull();
    expect((await download(url2)).status).toBe(404);
    expect((await download(url2, { Range: "bytes=0-9" })).status).toBe(404);
  });

  it("is a 404 with a clear error when the call has no recording, or is foreign", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const call = await seedCall(a.customerId);
    const res = await api(`/api/v1/voice-calls/${call.id}/recording-url`, { token: a.token });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: "This call has no recording" });
    const withRec = await seedCall(a.customerId, { recordingBytes: wavBytes(10) });
    const foreign = await api(`/api/v1/voice-calls/${withRec.id}/recording-url`, { token: b.token });
    expect(foreign.status).toBe(404);
    expect(await json(foreign)).toEqual({ error: "Voice call not found" });
  });

  it("needs audio:download for the URL", async () => {
    const t = await provisionTenant();
    const call = await seedCall(t.customerId, { recordingBytes: wavBytes(10) });
    const res = await api(`/api/v1/voice-calls/${call.id}/recording-url`, {
      token: await repToken(t.repId, { scope: "voice:read" }),
    });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: "Missing scope: audio:download" });
  });
});

describe("GET /api/voice/recordings/{conversationId}", () => {
  it("gives the seed's metadata with a working signed URL", async () => {
    const t = await provisionTenant();
    const wav = wavBytes(800);
    const call = await seedCall(t.customerId, {
      recordingBytes: wav,
      durationSeconds: 245,
      createdAt: "2025-01-15T10:00:00.000Z",
    });
    const res = await api(`/api/voice/recordings/${call.id}`, { token: t.token });
    expect(res.status).toBe(200);
    const { recording } = await json<{ recording: Record<string, unknown> & { urls: string[] } }>(res);
    expect(recording).toMatchObject({
      available: true,
      duration_seconds: 245,
      started_at: "2025-01-15T10:00:00.000Z",
      ended_at: "2025-01-15T10:04:05.000Z",
    });
    expect(recording.id).toMatch(/^rec_/);
    expect(recording.urls).toHaveLength(1);
    expect(new Uint8Array(await (await download(recording.urls[0] ?? "")).arrayBuffer())).toEqual(wav);
  });

  it("answers 404 with available: false when there is none, and 404 for foreign or unknown conversations", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const call = await seedCall(a.customerId, { createdAt: "2025-01-15T10:00:00.000Z", durationSeconds: 245 });
    const res = await api(`/api/voice/recordings/${call.id}`, { token: a.token });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({
      error: "No recording available for this conversation",
      available: false,
      recording: {
        id: null,
        urls: null,
        duration_seconds: null,
        available: false,
        started_at: "2025-01-15T10:00:00.000Z",
        ended_at: "2025-01-15T10:04:05.000Z",
      },
    });
    const foreign = await api(`/api/voice/recordings/${call.id}`, { token: b.token });
    expect(foreign.status).toBe(404);
    expect(await json(foreign)).toEqual({ error: "Conversation not found", available: false });
    const unknown = await api("/api/voice/recordings/vc_000000000000000000000000", { token: a.token });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ error: "Conversation not found", available: false });
    expect((await api("/api/voice/recordings/not%20an%20id", { token: a.token })).status).toBe(400);
  });

  it("needs a rep token, any scope (SPEC.md's call-data table says rep here)", async () => {
    const t = await provisionTenant();
    const call = await seedCall(t.customerId);
    expect((await api(`/api/voice/recordings/${call.id}`)).status).toBe(401);
    expect(
      (await api(`/api/voice/recordings/${call.id}`, { token: await repToken(t.repId, { scope: "" }) })).status,
    ).toBe(404); // no recording yet: the route let the token through
  });
});
