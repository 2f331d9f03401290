/**
 * `npm run fake-ringcentral`: the tests' RingCentral fake (test/fakes/ringcentral.ts) on a fixed local port, with a
 * demo app and JWT user registered whose webhooks are real POSTs. Point the Worker at it with
 * `npm start -- --var RINGCENTRAL_API_BASE_URL:http://127.0.0.1:9300` (docs/ringcentral.md, "Trying it locally").
 *
 *   --port 9300 --host 127.0.0.1   where the fake listens
 *   --provision                     give the demo tenant of `npm start` (.wrangler/demo.json) the demo RingCentral
 *                                   account and subscribe it (the fake's handshake reaches the Worker)
 *   --mode answer|forward-to-ai     the tenant's mode (default answer); --ai-line +E164 for forward-to-ai
 *   --call                          then ring the user once: Setup, Proceeding, Answered, Disconnected
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startRingCentralFake } from "../test/fakes/ringcentral";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9300" },
    host: { type: "string", default: "127.0.0.1" },
    provision: { type: "boolean", default: false },
    mode: { type: "string", default: "answer" },
    "ai-line": { type: "string", default: "+15005550100" },
    call: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("usage: npm run fake-ringcentral -- [--port 9300] [--provision [--mode answer|forward-to-ai]] [--call]");
  process.exit(0);
}

/** The demo app and its user; local only, like the demo tenant's other secrets. */
const APP = {
  clientId: "demo-rc-client",
  clientSecret: "demo-rc-secret",
  jwt: "eyJ.demo-rc-user.jwt",
  extensionId: "101",
  accountId: "37439510",
};

const fake = await startRingCentralFake({ port: Number(values.port), host: values.host }).catch((e: unknown) => {
  console.error(`fake-ringcentral: cannot listen on ${values.host}:${values.port}: ${String(e)}`);
  process.exit(1);
});

async function control<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${fake.url}/__fake${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

await control("/apps", { ...APP, relay: false });
await control("/devices", { extensionId: APP.extensionId, devices: [{ id: "802", status: "Online" }] });
console.log(`fake RingCentral on ${fake.url} (app ${APP.clientId}, user extension ${APP.extensionId}, device 802 Online)
  npm start -- --var RINGCENTRAL_API_BASE_URL:${fake.url}`);

interface Demo {
  baseUrl: string;
  adminToken: string;
  customerId: number;
}

async function provision(): Promise<void> {
  const file = process.env.VOICEDESK_DEMO_FILE || ".wrangler/demo.json";
  if (!existsSync(file)) throw new Error(`${file} not found: run npm start first`);
  const demo = JSON.parse(readFileSync(file, "utf8")) as Demo;
  const adminCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${demo.baseUrl}/api/admin/customers/${demo.customerId}${path}`, {
      method,
      headers: { Authorization: `Bearer ${demo.adminToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path || "/"}: ${res.status} ${text}`);
    return text;
  };
  const { clientId, clientSecret, jwt } = APP;
  const mode = values.mode === "forward-to-ai" ? "forward-to-ai" : "answer";
  await adminCall("PATCH", "", { ringcentral: { clientId, clientSecret, jwt, mode, aiLine: values["ai-line"] } });
  console.log(`demo customer ${demo.customerId}: RingCentral account set (mode ${mode})`);
  console.log(`subscribed: ${await adminCall("POST", "/ringcentral/subscription")}`);
}

async function ringOnce(): Promise<void> {
  const call = await control<{ telephonySessionId: string }>("/calls", {
    clientId: APP.clientId,
    from: "+15555550123",
    to: "+15005550006",
  });
  for (const status of ["Setup", "Proceeding", "Answered", "Disconnected"]) {
    const r = await control<{ status: number; body: string }>("/notify", {
      clientId: APP.clientId,
      telephonySessionId: call.telephonySessionId,
      status,
    });
    console.log(`${status.padEnd(12)} → the Worker answered ${r.status} ${r.body}`);
    // The Worker answers once call control was asked (or after 2.5 s); a short pause keeps the states apart.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log(`call control done: ${JSON.stringify(await control(`/commands?clientId=${APP.clientId}`))}`);
}

try {
  if (values.provision) await provision();
  if (values.call) await ringOnce();
} catch (e) {
  console.error(`fake-ringcentral: ${e instanceof Error ? e.message : String(e)}`);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void fake.close().then(() => process.exit(0)));
