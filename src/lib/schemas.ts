import { z } from "zod";
import { normalizePhone } from "./phone";

/** A phone number in any common notation, normalized to `+digits`. */
export const phoneNumber = z.string().transform((s, ctx) => {
  const n = normalizePhone(s);
  if (!n) {
    ctx.addIssue({ code: "custom", message: `not a phone number in international form: "${s}"` });
    return z.NEVER;
  }
  return n;
});

export const intId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const idParam = z.object({ id: intId });

export const pagination = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
