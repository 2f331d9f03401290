import { getPhoneNumber } from "../db/phone-numbers";
import { ApiError } from "../lib/errors";

/**
 * A rep may place calls from a number the tenant owns that is theirs or shared (assigned to no rep); a number
 * assigned to another rep is that rep's line. A number the tenant does not own is refused the same way whether
 * or not another tenant owns it, so nothing leaks across tenants.
 */
export async function assertCallerId(
  db: D1Database,
  customerId: number,
  repId: number,
  number: string,
  field: string,
): Promise<void> {
  const row = await getPhoneNumber(db, customerId, number);
  if (!row) throw new ApiError(403, `${field} ${number} is not a number of your account`, { field });
  if (row.rep_id !== null && row.rep_id !== repId)
    throw new ApiError(403, `${field} ${number} is assigned to another rep`, { field });
}
