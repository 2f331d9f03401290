import type { ResponseSpec } from "./define";
import { errorBody } from "./schemas";
import type { ZodType } from "zod";

/** Shorthands for the responses every operation shares. */
export const json = (description: string, schema: ZodType): ResponseSpec => ({ description, schema });
export const error = (description: string): ResponseSpec => ({ description, schema: errorBody });
export const noContent = (description: string): ResponseSpec => ({ description });

export const BAD_REQUEST = error("Invalid input: `issues` names each offending field");
export const NOT_FOUND = error("Unknown, or another tenant's");
export const ADMIN_ERRORS = { 400: BAD_REQUEST, 401: error("Missing or wrong admin token") };
export const REP_ERRORS = {
  400: BAD_REQUEST,
  401: error("Missing, expired or invalid rep token"),
  403: error("The token lacks the scope this operation needs"),
};
export const RATE_LIMITED = { 429: error("Over the tenant's per-minute limit (see X-RateLimit-* headers)") };
export const TWILIO_ERRORS = {
  400: BAD_REQUEST,
  403: error("No valid X-Twilio-Signature for a known AccountSid, or a rep/number the account does not own"),
};
