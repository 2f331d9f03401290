import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { requireRepOrPhone, requireScope, requireScopeOrPhone } from "../auth/middleware";
import { loadAccessibleTicket } from "../auth/ticket-access";
import { latestRecordingOfTicket } from "../db/recordings";
import * as tickets from "../db/tickets";
import { serveR2Object } from "../recordings/r2-serve";
import { rateLimit } from "../limits/middleware";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validate";
import { queryPhone } from "../lib/phone";
import { idParam, pagination, phoneNumber } from "../lib/schemas";
import { deleteRecordingsOfTicket, deleteTicket } from "../lifecycle/deletion";

const listQuery = pagination.extend({
  channel: z.enum(tickets.CHANNELS).optional(),
  status: z.enum(tickets.TICKET_STATUSES).optional(),
  // A '+' in a query string arrives as a space (form decoding): queryPhone puts it back.
  phoneNumber: z.string().transform(queryPhone).pipe(phoneNumber).optional(),
});
const createBody = z.object({
  channel: z.enum(tickets.CHANNELS),
  subject: z.string().trim().min(1).max(500),
  phoneNumber: phoneNumber.optional(),
});
const messageBody = z.object({ senderType: z.enum(tickets.SENDER_TYPES), text: z.string().trim().min(1).max(20_000) });

const canRead = requireScopeOrPhone("tickets:read");
const canWrite = requireScopeOrPhone("tickets:write");

export const ticketRoutes = new Hono<AppEnv>()
  .use("*", requireRepOrPhone)
  .get("/", canRead, validate("query", listQuery), async (c) => {
    const auth = c.get("auth");
    const q = c.req.valid("query");
    // A phone user sees only the phone tickets of their own number, whatever filters they send.
    const filter: tickets.TicketFilter =
      auth.kind === "phone"
        ? { channel: "phone", status: q.status, phoneNumber: auth.phoneNumber }
        : { channel: q.channel, status: q.status, phoneNumber: q.phoneNumber };
    if (
      auth.kind === "phone" &&
      ((q.channel && q.channel !== "phone") || (q.phoneNumber && q.phoneNumber !== auth.phoneNumber))
    ) {
      return c.json({ items: [], total: 0, page: q.page, pageSize: q.pageSize });
    }
    const { items, total } = await tickets.listTickets(
      c.env.DB,
      auth.customerId,
      filter,
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    return c.json({ items: items.map(tickets.publicTicket), total, page: q.page, pageSize: q.pageSize });
  })
  .post("/", canWrite, validate("json", createBody), async (c) => {
    const auth = c.get("auth");
    const b = c.req.valid("json");
    if (auth.kind === "phone" && (b.channel !== "phone" || (b.phoneNumber && b.phoneNumber !== auth.phoneNumber))) {
      throw new ApiError(403, "A phone-auth token can only open phone tickets for its own number");
    }
    const t = await tickets.insertTicket(c.env.DB, {
      customerId: auth.customerId,
      channel: b.channel,
      subject: b.subject,
      phoneNumber: auth.kind === "phone" ? auth.phoneNumber : (b.phoneNumber ?? null),
      repId: auth.kind === "rep" ? auth.rep.id : null,
    });
    return c.json(tickets.publicTicket(t), 201);
  })
  .get("/:id", canRead, validate("param", idParam), async (c) => {
    const auth = c.get("auth");
    const t = await loadAccessibleTicket(c.env, auth, c.req.valid("param").id);
    const messages = await tickets.listMessages(c.env.DB, auth.customerId, t.id);
    return c.json({ ...tickets.publicTicket(t), messages: messages.map(tickets.publicMessage) });
  })
  .post("/:id/messages", canWrite, validate("param", idParam), validate("json", messageBody), async (c) => {
    const auth = c.get("auth");
    const b = c.req.valid("json");
    const t = await loadAccessibleTicket(c.env, auth, c.req.valid("param").id);
    if (auth.kind === "phone" && b.senderType !== "EndUser")
      throw new ApiError(403, "A phone-auth token can only post as EndUser");
    const m = await tickets.insertMessage(c.env.DB, {
      ticketId: t.id,
      customerId: auth.customerId,
      senderType: b.senderType,
      text: b.text,
      offsetMs: null,
      recordingId: null,
    });
    await tickets.touchTicket(c.env.DB, auth.customerId, t.id);
    return c.json(tickets.publicMessage(m), 201);
  })
  // The latest recording version of the ticket, streamed from R2 with Range support so an audio element can seek.
  // Reps with audio:download, counted like every recording download; a phone-auth token can upload its own audio
  // but not download recordings.
  .get(
    "/:id/recording",
    requireScope("audio:download"),
    rateLimit("recordings"),
    validate("param", idParam),
    async (c) => {
      const auth = c.get("auth");
      const t = await loadAccessibleTicket(c.env, auth, c.req.valid("param").id);
      const rec = await latestRecordingOfTicket(c.env.DB, auth.customerId, t.id);
      if (!rec) throw new ApiError(404, `Ticket ${t.id} has no recording`);
      return serveR2Object(c.env.RECORDINGS, rec.r2_key, c.req.raw, `ticket-${t.id}-v${rec.version}.wav`);
    },
  )
  // Deleting a ticket removes its messages, its recordings (every version) and its recorder's chunks; its calls
  // stay, on no ticket. Reps with tickets:write only (docs/data-lifecycle.md).
  .delete("/:id", requireScope("tickets:write"), validate("param", idParam), async (c) => {
    const t = await loadAccessibleTicket(c.env, c.get("auth"), c.req.valid("param").id);
    await deleteTicket(c.env, t);
    return c.body(null, 204);
  })
  .delete("/:id/recording", requireScope("tickets:write"), validate("param", idParam), async (c) => {
    const auth = c.get("auth");
    const t = await loadAccessibleTicket(c.env, auth, c.req.valid("param").id);
    await deleteRecordingsOfTicket(c.env, auth.customerId, t.id);
    return c.body(null, 204);
  });
