#!/usr/bin/env node
// `npm start [-- wrangler dev flags]`: the console built, local D1/R2/Durable Objects, migrations applied, a demo
// tenant seeded through the admin API (idempotently), the console URL and a rep token printed. Flags after `--` go
// to `wrangler dev`.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { DEMO_FILE, ensureDevVars, mintRepToken, readDemo, writeDemo } from "./dev-env.mjs";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i].includes("=") ? args[i].split("=").slice(1).join("=") : args[i + 1];
};
const varOverrides = Object.fromEntries(
  args
    .flatMap((a, i) => (a === "--var" ? [args[i + 1]] : a.startsWith("--var=") ? [a.slice(6)] : []))
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf(":")), kv.slice(kv.indexOf(":") + 1)]),
);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const vars = { ...ensureDevVars(), ...varOverrides };
const port = Number(flag("--port") ?? 8787);
const host = flag("--ip") && flag("--ip") !== "0.0.0.0" ? flag("--ip") : "127.0.0.1";
const persist = flag("--persist-to");
const base = `http://${host}:${port}`;

const built = spawnSync(process.execPath, ["console/build.mjs"], { stdio: "inherit", env });
if (built.status !== 0) process.exit(built.status ?? 1);

const migrate = spawnSync(
  "npx",
  ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...(persist ? ["--persist-to", persist] : [])],
  {
    stdio: "inherit",
    env: { ...env, CI: "true" },
  },
);
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// --test-scheduled: the crons (docs/data-lifecycle.md) can be run by hand at /__scheduled.
const dev = spawn("npx", ["wrangler", "dev", "--test-scheduled", ...args], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code) => process.exit(code ?? 0));

async function adminCall(method, path, body) {
  const res = await fetch(`${base}/api/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${vars.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function waitForWorker() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Worker did not answer on ${base} within 2 minutes`);
}

/** The demo tenant: found by name, created once; its local-only secrets are (re)set on every start. */
async function seedDemo() {
  const prior = readDemo() ?? {};
  const authToken = prior.authToken ?? randomBytes(16).toString("hex");
  const twilio = {
    accountSid: "AC" + "de0".repeat(10) + "00",
    authToken,
    apiKeySid: "SK" + "de1".repeat(10) + "00",
    apiKeySecret: "demo-api-key-secret",
    twimlAppSid: "AP" + "de2".repeat(10) + "00",
    region: "ie1",
    edge: "dublin",
  };
  const openai = {
    apiKey: "sk-demo-local",
    realtimeModel: "gpt-realtime",
    transcriptionModel: "gpt-4o-transcribe",
    transcriptionActive: true,
  };
  const { items } = await adminCall("GET", "/customers?limit=200");
  let customer = items.find((c) => c.twilio.accountSid === twilio.accountSid);
  customer = customer
    ? await adminCall("PATCH", `/customers/${customer.id}`, { twilio, openai })
    : await adminCall("POST", "/customers", { name: "Demo Customer", twilio, openai });
  const reps = (await adminCall("GET", `/customers/${customer.id}/reps`)).items;
  const rep =
    reps.find((r) => r.identity === "demo_rep") ??
    (await adminCall("POST", `/customers/${customer.id}/reps`, {
      name: "Demo Rep",
      email: "rep@demo.local",
      identity: "demo_rep",
      phoneNumbers: ["+15005550006"],
    }));
  const assistants = (await adminCall("GET", `/customers/${customer.id}/assistants`)).items;
  const assistant =
    assistants.find((a) => a.name === "Demo Assistant") ??
    (await adminCall("POST", `/customers/${customer.id}/assistants`, {
      name: "Demo Assistant",
      instructions: "You are the friendly front desk of Demo Customer. Keep answers short.",
      voice: "marin",
      welcomeMessage: "Hello, thanks for calling Demo Customer. How can I help?",
      language: "en",
    }));
  const assistantNumber = "+15005550100";
  await adminCall("POST", `/customers/${customer.id}/phone-numbers`, {
    number: assistantNumber,
    assistantId: assistant.id,
  });
  const repToken = await mintRepToken(vars, rep.id);
  const demo = {
    baseUrl: base,
    adminToken: vars.ADMIN_TOKEN,
    customerId: customer.id,
    accountSid: twilio.accountSid,
    authToken,
    apiKeySid: twilio.apiKeySid,
    apiKeySecret: twilio.apiKeySecret,
    twimlAppSid: twilio.twimlAppSid,
    repId: rep.id,
    repToken,
    assistantId: assistant.id,
    assistantNumber,
    repNumber: "+15005550006",
  };
  writeDemo(demo);
  return demo;
}

try {
  await waitForWorker();
  const demo = await seedDemo();
  console.log(`
voicedesk is running on ${base}

  Console: ${base}/  (open it and paste the rep token below; a fresh one any time: npm run token)
  API reference: ${base}/docs  (the OpenAPI 3.1 document: ${base}/openapi.json)

  demo customer ${demo.customerId}, rep ${demo.repId}, assistant ${demo.assistantId} on ${demo.assistantNumber}
  details in ${DEMO_FILE}

  export TOKEN=${demo.repToken}
  curl -s ${base}/api/me -H "Authorization: Bearer $TOKEN"
`);
} catch (e) {
  console.error(`seeding the demo tenant failed: ${e.message}`);
}
