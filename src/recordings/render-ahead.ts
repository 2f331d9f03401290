import type { Env } from "../env";
import { newId } from "../lib/ids";
import type { AudioStore } from "./audio-store";
import { CONTENT_TYPE, recordingKey, SAMPLE_RATE, type FinalizeTarget } from "./finalize";
import { mixFrames } from "./mix-frames";
import { PART_BYTES } from "./r2-part-writer";
import type { RecordingDraft } from "./recording-draft";
import { fullPartEnd } from "./stereo-parts";
import { enqueue, queueOf } from "./store-queue";

/** Audio the draft leaves unmixed behind the timeline's end, so the other side's slightly later chunks do not dirty a part. */
export const DRAFT_LAG_FRAMES = 30 * SAMPLE_RATE;

/**
 * One step of the draft, queued behind (and yielding to) finalizes of the same store: aborts abandoned
 * uploads, opens the draft's upload once the timeline holds a full part past the first, then mixes and
 * uploads the next full part that lies DRAFT_LAG_FRAMES behind the timeline's end, and repeats while no
 * finalize is waiting. Failures only cost the optimisation: finalize mixes whatever the draft lacks.
 */
export function renderAhead(env: Env, store: AudioStore, draft: RecordingDraft, target: FinalizeTarget): Promise<void> {
  const queue = queueOf(store);
  return enqueue(queue, async () => {
    for (const u of draft.abandoned.splice(0))
      await env.RECORDINGS.resumeMultipartUpload(u.key, u.uploadId)
        .abort()
        .catch(() => undefined);
    let buf: Uint8Array | null = null; // one part buffer for the whole step: each upload finishes before the next mix
    while (queue.finalizesWaiting === 0) {
      const view = store.view();
      if (!view) return;
      const ready = view.endSample - view.startSample - DRAFT_LAG_FRAMES;
      if (ready < fullPartEnd(2)) return;
      let meta = draft.current;
      if (!meta) {
        const recordingId = newId("rec");
        const key = recordingKey(target, recordingId);
        const upload = await env.RECORDINGS.createMultipartUpload(key, { httpMetadata: CONTENT_TYPE });
        if (store.view()?.startSample !== view.startSample || draft.current) {
          await upload.abort().catch(() => undefined);
          continue;
        }
        draft.begin((meta = { recordingId, key, uploadId: upload.uploadId, origin: view.startSample }));
      }
      const now = store.view()!;
      const p = draft.nextPart(now.endSample - meta.origin - DRAFT_LAG_FRAMES);
      if (p === null) return;
      const token = draft.startPart(p);
      const from = fullPartEnd(p - 1);
      buf ??= new Uint8Array(PART_BYTES);
      mixFrames(store, now, meta.origin + from, PART_BYTES / 4, new Int16Array(buf.buffer));
      try {
        const part = await env.RECORDINGS.resumeMultipartUpload(meta.key, meta.uploadId).uploadPart(p, buf);
        draft.finishPart(meta.uploadId, p, token, part.etag);
      } catch (e) {
        draft.failPart(p, token);
        throw e;
      }
    }
  });
}
