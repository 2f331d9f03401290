import { env } from "cloudflare:workers";
import { insertRecording } from "../../src/db/recordings";
import { admin, api, json, provisionTenant, type Tenant } from "../helpers";
import { seedCall, seedRecording, wavBytes } from "../seed/calls";

/**
 * The tenant the documented examples run against (src/routes/openapi/samples.ts names these values): provisioned through
 * the admin API like a real one, with a phone ticket that has a recording, a call with a transcript and a
 * recording, an assistant with a tool, a draft campaign.
 */
export interface ExampleFixture {
  tenant: Tenant;
  values: Record<string, string | number>;
}

async function created<T>(res: Promise<Response>, what: string): Promise<T> {
  const r = await res;
  if (r.status !== 201) throw new Error(`fixture ${what}: ${r.status} ${await r.text()}`);
  return json<T>(r);
}

export async function exampleFixture(): Promise<ExampleFixture> {
  const tenant = await provisionTenant();
  const c = tenant.customerId;
  const call = await seedCall(c, {
    transcript: [
      { sender: "EndUser", text: "Hello, I have a question about my invoice.", offsetMs: 0 },
      { sender: "AI", text: "Of course, what is the invoice number?", offsetMs: 2500 },
    ],
  });
  const recording = await seedRecording(c, call, wavBytes(800));
  const ticket = await created<{ id: number }>(
    api("/api/tickets", {
      method: "POST",
      token: tenant.token,
      json: { channel: "phone", subject: "Invoice", phoneNumber: "+3225550140" },
    }),
    "ticket",
  );
  // The ticket's recording: the row and R2 object a finalized upload writes.
  const key = `recordings/${c}/ticket-${ticket.id}/v1.wav`;
  const wav = wavBytes(400);
  await env.RECORDINGS.put(key, wav, { httpMetadata: { contentType: "audio/wav" } });
  await insertRecording(env.DB, {
    customer_id: c,
    ticket_id: ticket.id,
    r2_key: key,
    source: "upload",
    duration_ms: 100,
    channels: 2,
    size_bytes: wav.length,
  });
  const assistant = await created<{ id: number }>(
    admin(`/customers/${c}/assistants`, { method: "POST", json: { name: "Desk", instructions: "Help callers." } }),
    "assistant",
  );
  const tool = await created<{ id: number }>(
    admin(`/customers/${c}/assistants/${assistant.id}/tools`, {
      method: "POST",
      json: { name: "lookup_order", description: "Find an order", url: "https://tools.example.com/orders" },
    }),
    "tool",
  );
  const campaign = await created<{ id: number }>(
    admin(`/customers/${c}/campaigns`, { method: "POST", json: { name: "Renewals" } }),
    "campaign",
  );
  return {
    tenant,
    values: {
      customerId: c,
      repId: tenant.repId,
      repNumber: tenant.repNumber,
      ticketId: ticket.id,
      callId: call.id,
      campaignId: campaign.id,
      assistantId: assistant.id,
      toolId: tool.id,
      accountSid: tenant.accountSid,
      recordingId: recording.id,
      newNumber: `+3226${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`,
    },
  };
}
