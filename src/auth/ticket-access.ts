import type { Env } from "../env";
import { getTicket, type TicketRow } from "../db/tickets";
import { notFound } from "../lib/errors";
import type { Auth } from "./context";

/** Whether this caller may touch this ticket (every rep of its customer, or the phone user of a phone ticket of their number). */
export function canAccessTicket(auth: Auth, t: TicketRow): boolean {
  if (t.customer_id !== auth.customerId) return false;
  return auth.kind === "rep" || (t.channel === "phone" && t.phone_number === auth.phoneNumber);
}

/** The TicketAccessOrPhoneAuth policy: a ticket the caller may not touch is indistinguishable from a missing one (404). */
export async function loadAccessibleTicket(env: Env, auth: Auth, ticketId: number): Promise<TicketRow> {
  const t = await getTicket(env.DB, auth.customerId, ticketId);
  if (!t || !canAccessTicket(auth, t)) throw notFound(`Ticket ${ticketId} not found`);
  return t;
}
