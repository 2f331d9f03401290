import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import * as assistants from "../db/assistants";
import { loadCustomer } from "../db/customers";
import { notFound } from "../lib/errors";
import { idParam, phoneNumber } from "../lib/schemas";
import { validate } from "../lib/validate";
import { childParam } from "./admin-params";

/** Turn detection (docs/live-calls.md, "Turn detection and noise"): server VAD with its knobs, or semantic VAD. */
const turnDetection = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("server_vad"),
    threshold: z.number().min(0).max(1).optional(),
    prefixPaddingMs: z.number().int().min(0).max(2000).optional(),
    silenceDurationMs: z.number().int().min(100).max(5000).optional(),
  }),
  z.strictObject({
    type: z.literal("semantic_vad"),
    eagerness: z.enum(["low", "medium", "high", "auto"]).optional(),
  }),
]);

const assistantBody = z.object({
  name: z.string().min(1).max(200),
  instructions: z.string().min(1).max(20_000),
  voice: z.string().min(1).max(40).optional(),
  welcomeMessage: z.string().max(2000).optional(),
  language: z.string().min(2).max(35).optional(),
  /** null = the default (server VAD 0.5 / 300 ms / 500 ms). */
  turnDetection: turnDetection.nullable().optional(),
  noiseReduction: z.enum(["near_field", "far_field"]).nullable().optional(),
  /** transfer_to_human dials this number instead of the rep who owns the called number. */
  transferNumber: phoneNumber.nullable().optional(),
  transferMessage: z.string().min(1).max(300).nullable().optional(),
});

type Body = Partial<z.infer<typeof assistantBody>>;
const json = (v: object | null | undefined) => (v === undefined ? undefined : v === null ? null : JSON.stringify(v));

/** The columns a (partial) body sets; undefined leaves a column as it is, null clears it. */
const fields = (b: Body) => ({
  name: b.name,
  instructions: b.instructions,
  voice: b.voice,
  welcome_message: b.welcomeMessage,
  language: b.language,
  turn_detection_json: json(b.turnDetection),
  noise_reduction: b.noiseReduction,
  transfer_number: b.transferNumber,
  transfer_message: b.transferMessage,
});

/** `/api/admin/customers/{id}/assistants`: the AI assistants that answer a tenant's numbers. */
export const adminAssistantRoutes = new Hono<AppEnv>()
  .post("/", validate("param", idParam), validate("json", assistantBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    const f = fields(b);
    await loadCustomer(c.env.DB, id);
    const row = await assistants.insertAssistant(c.env.DB, id, {
      name: b.name,
      instructions: b.instructions,
      voice: f.voice ?? null,
      welcome_message: f.welcome_message ?? null,
      language: f.language ?? null,
      turn_detection_json: f.turn_detection_json ?? null,
      noise_reduction: f.noise_reduction ?? null,
      transfer_number: f.transfer_number ?? null,
      transfer_message: f.transfer_message ?? null,
    });
    return c.json(assistants.publicAssistant(row), 201);
  })
  .get("/", validate("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    await loadCustomer(c.env.DB, id);
    return c.json({ items: (await assistants.listAssistants(c.env.DB, id)).map(assistants.publicAssistant) });
  })
  .patch("/:childId", validate("param", childParam), validate("json", assistantBody.partial()), async (c) => {
    const { id, childId } = c.req.valid("param");
    const row = await assistants.updateAssistant(c.env.DB, id, childId, fields(c.req.valid("json")));
    if (!row) throw notFound(`Assistant ${childId} not found`);
    return c.json(assistants.publicAssistant(row));
  });
