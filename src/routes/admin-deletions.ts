import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { getCall } from "../db/calls";
import { getRecording } from "../db/recordings";
import { getTicket } from "../db/tickets";
import { notFound } from "../lib/errors";
import { callIdString } from "./call-params";
import { intId } from "../lib/schemas";
import { validate } from "../lib/validate";
import { deleteCall, deleteRecordings, deleteTicket } from "../lifecycle/deletion";

const callParam = z.object({ id: intId, callId: callIdString });
const ticketParam = z.object({ id: intId, ticketId: intId });
const recordingParam = z.object({ id: intId, recordingId: callIdString });

/**
 * `/api/admin/customers/{id}/…`: deleting one call, ticket or recording of a tenant with every copy
 * (docs/data-lifecycle.md). 204 when done; a foreign or unknown id is 404 and changes nothing.
 */
export const adminDeletionRoutes = new Hono<AppEnv>()
  .delete("/calls/:callId", validate("param", callParam), async (c) => {
    const { id, callId } = c.req.valid("param");
    const call = await getCall(c.env.DB, id, callId);
    if (!call) throw notFound(`Call ${callId} not found`);
    await deleteCall(c.env, call);
    return c.body(null, 204);
  })
  .delete("/tickets/:ticketId", validate("param", ticketParam), async (c) => {
    const { id, ticketId } = c.req.valid("param");
    const ticket = await getTicket(c.env.DB, id, ticketId);
    if (!ticket) throw notFound(`Ticket ${ticketId} not found`);
    await deleteTicket(c.env, ticket);
    return c.body(null, 204);
  })
  .delete("/recordings/:recordingId", validate("param", recordingParam), async (c) => {
    const { id, recordingId } = c.req.valid("param");
    const rec = await getRecording(c.env.DB, id, recordingId);
    if (!rec) throw notFound(`Recording ${recordingId} not found`);
    await deleteRecordings(c.env, id, [rec]);
    return c.body(null, 204);
  });
