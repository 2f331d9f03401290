import { z } from "zod";
import { intId } from "../lib/schemas";

/** `/api/admin/customers/{id}/…/{childId}`. */
export const childParam = z.object({ id: intId, childId: intId });
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
