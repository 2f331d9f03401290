import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/**
 * One object per call (keyed by call SID) or per ticket (keyed `ticket:{id}` for chunk uploads).
 * Its SQLite storage is where audio waits, durably, until the recording is finalized into R2.
 */
export class CallSession extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return Response.json({ error: "Not found" }, { status: 404 });
  }
}
