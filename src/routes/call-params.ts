import { z } from "zod";
import type { Env } from "../env";
import { getCall } from "../db/calls";
import { notFound } from "../lib/errors";

/** A voice-call / conversation id as issued (`vc_` + 24 hex digits, or a carrier-derived id of the same alphabet). */
export const callIdString = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a voice-call id such as vc_3f9a…");
export const callIdParam = z.object({ id: callIdString });

/** The tenant's call, or the 404 that a missing and a foreign call share. */
export async function loadCall(env: Env, customerId: number, id: string, what = "Voice call") {
  const call = await getCall(env.DB, customerId, id);
  if (!call) throw notFound(`${what} not found`);
  return call;
}
