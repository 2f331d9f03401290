/** The project Worker's bench tenant, provisioned through the admin API like any customer. */
import { randomBytes } from "node:crypto";
import { newSid } from "../../scripts/lib/twiml-call";

/** The echo assistant's number (the load runs) and the greeter's (time to first AI audio: it speaks first). */
export const ASSISTANT_NUMBER = "+15550107000";
export const GREETER_NUMBER = "+15550107001";

export async function provisionWorkerTenant(
  base: string,
  adminToken: string,
  creds: { accountSid: string; authToken: string },
): Promise<void> {
  const admin = async (path: string, body: unknown) => {
    const r = await fetch(`${base}/api/admin${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`POST /api/admin${path} → ${r.status} ${await r.text()}`);
    return (await r.json()) as { id: number };
  };
  const customer = await admin("/customers", {
    name: "Bridge bench",
    twilio: {
      ...creds,
      apiKeySid: newSid("SK"),
      apiKeySecret: randomBytes(12).toString("hex"),
      twimlAppSid: newSid("AP"),
    },
    openai: { apiKey: "sk-bench", transcriptionActive: false },
  });
  const echo = await admin(`/customers/${customer.id}/assistants`, {
    name: "Echo",
    instructions: "Benchmark: the far end echoes audio.",
  });
  await admin(`/customers/${customer.id}/phone-numbers`, { number: ASSISTANT_NUMBER, assistantId: echo.id });
  const greeter = await admin(`/customers/${customer.id}/assistants`, {
    name: "Greeter",
    instructions: "Benchmark: greets the caller first.",
    welcomeMessage: "Hello, thank you for calling.",
  });
  await admin(`/customers/${customer.id}/phone-numbers`, { number: GREETER_NUMBER, assistantId: greeter.id });
}
