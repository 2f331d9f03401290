/**
 * Where a stereo 16-bit recording's frames fall in its R2 parts. Part p (1-based) holds the file's bytes
 * [(p − 1)·PART_BYTES, p·PART_BYTES): the 44-byte header opens part 1, so a frame's bytes never straddle a
 * part (both sizes are multiples of 4). Finalize and the recording draft agree on this layout.
 */
import { PART_BYTES } from "./r2-part-writer";

export const STEREO_HEADER_BYTES = 44;
export const STEREO_FRAME_BYTES = 4;

export const stereoFileBytes = (frames: number) => STEREO_HEADER_BYTES + frames * STEREO_FRAME_BYTES;

export const partCount = (frames: number) => Math.ceil(stereoFileBytes(frames) / PART_BYTES);

/** The frames (relative to the recording's first) that part `p` of a `frames`-long recording holds. */
export function partFrames(p: number, frames: number): { from: number; to: number } {
  const end = Math.min(p * PART_BYTES, stereoFileBytes(frames));
  const from = p === 1 ? 0 : ((p - 1) * PART_BYTES - STEREO_HEADER_BYTES) / STEREO_FRAME_BYTES;
  return { from, to: (end - STEREO_HEADER_BYTES) / STEREO_FRAME_BYTES };
}

/** The part holding relative frame `f`. */
export const partOfFrame = (f: number) => Math.floor(stereoFileBytes(f) / PART_BYTES) + 1;

/** The last frame (exclusive) of part `p` when it is full. */
export const fullPartEnd = (p: number) => (p * PART_BYTES - STEREO_HEADER_BYTES) / STEREO_FRAME_BYTES;
