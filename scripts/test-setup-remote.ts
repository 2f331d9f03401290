/**
 * `npm run setup:remote` without a Cloudflare account: its steps against a scripted stand-in for wrangler (what a
 * fresh account and an existing deployment answer), its wrangler.toml edit read back by wrangler's own parser, and
 * its --dry-run. What it cannot prove here — that Cloudflare accepts these commands — docs/deploy.md says.
 * node:test, run by `npm test` (named test-*.ts, not *.test.ts, so that vitest leaves it to Node).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  JWKS_QUESTION,
  PUBLIC_URL_QUESTION,
  queueNames,
  type SetupDeps,
  SetupStop,
  setupRemote,
} from "./lib/setup-remote";
import { setDatabaseId } from "./lib/setup-text";
import { readConfig, type RunResult } from "./lib/wrangler";

const ROOT = new URL("..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "setup-remote-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const DB_ID = "6f1d2c3b-0000-4000-8000-00000000abcd";

interface Account {
  loggedIn: boolean;
  databases: { name: string; uuid: string }[];
  buckets: string[];
  queues: string[];
  /** Secret names of the deployed Worker; null when the Worker does not exist yet. */
  secrets: string[] | null;
}

/** A scratch project and a stand-in wrangler answering like Cloudflare would for `account`. */
function harness(account: Account) {
  const root = mkdtempSync(join(dir, "p-"));
  for (const f of ["wrangler.toml", "worker-secrets.env"]) cpSync(join(ROOT, f), join(root, f));
  const calls: string[] = [];
  const logs: string[] = [];
  const uploads: Record<string, string>[] = [];
  const files: string[] = [];
  const ok = (stdout = ""): RunResult => ({ status: 0, stdout, stderr: "" });
  const deps: SetupDeps = {
    root,
    config: readConfig(root),
    async wrangler(args) {
      calls.push(args.join(" "));
      const [a, b] = args;
      if (a === "whoami")
        return ok(
          account.loggedIn
            ? "You are logged in with an OAuth Token, associated with the email ops@acme.example."
            : "You are not authenticated. Please run `wrangler login`.",
        );
      if (a === "d1" && b === "list")
        return ok(JSON.stringify(account.databases.map((d) => ({ ...d, created_at: "2026-12-01" }))));
      if (a === "d1" && b === "create")
        return (account.databases.push({ name: args[2] ?? "", uuid: DB_ID }), ok("✅ Successfully created DB"));
      if (a === "r2" && args[2] === "info")
        return account.buckets.includes(args[3] ?? "")
          ? ok("name: x")
          : { status: 1, stdout: "", stderr: "The specified bucket does not exist." };
      if (a === "r2" && args[2] === "create") return (account.buckets.push(args[3] ?? ""), ok("Created bucket"));
      if (a === "queues" && b === "info")
        return account.queues.includes(args[2] ?? "")
          ? ok(`Queue Name: ${args[2]}`)
          : { status: 1, stdout: "", stderr: "Queue does not exist." };
      if (a === "queues" && b === "create") return (account.queues.push(args[2] ?? ""), ok("Created queue"));
      if (a === "secret" && b === "list")
        return account.secrets
          ? ok(JSON.stringify(account.secrets.map((name) => ({ name, type: "secret_text" }))))
          : { status: 1, stdout: "", stderr: 'Worker "voicedesk" not found.' };
      if (a === "deploy") {
        const i = args.indexOf("--secrets-file");
        if (i >= 0) {
          const path = args[i + 1] ?? "";
          uploads.push(JSON.parse(readFileSync(path, "utf8")) as Record<string, string>);
          account.secrets = [...(account.secrets ?? []), ...Object.keys(uploads.at(-1) ?? {})];
        }
        return ok(
          "Uploaded voicedesk (3.1 sec)\nDeployed voicedesk triggers (0.4 sec)\n  https://voicedesk.acme.workers.dev\nCurrent Version ID: 1",
        );
      }
      return ok();
    },
    async ask(q) {
      logs.push(`? ${q}`);
      return ""; // Enter: the defaults
    },
    log: (l) => logs.push(l),
    readToml: () => readFileSync(join(root, "wrangler.toml"), "utf8"),
    writeToml: (t) => writeFileSync(join(root, "wrangler.toml"), t),
    writeSecretsFile(values) {
      const path = join(root, `secrets-${files.length}.json`);
      writeFileSync(path, JSON.stringify(values), { mode: 0o600 });
      files.push(path);
      return { path, remove: () => rmSync(path) };
    },
    async doctor(base, token) {
      logs.push(`doctor ${base} ${token.length}`);
    },
  };
  return { root, deps, calls, logs, uploads, files, account };
}

test("a fresh account: creates D1 (id into wrangler.toml) and R2, migrates, then deploys with generated secrets", async () => {
  const h = harness({ loggedIn: true, databases: [], buckets: [], queues: [], secrets: null });
  await setupRemote(h.deps, { location: "weur" });
  assert.deepEqual(h.calls, [
    "whoami",
    "d1 list --json",
    "d1 create voicedesk --location weur",
    "d1 list --json",
    "r2 bucket info voicedesk-recordings",
    "r2 bucket create voicedesk-recordings --location weur",
    "queues info voicedesk-post-call",
    "queues create voicedesk-post-call",
    "queues info voicedesk-post-call-dlq",
    "queues create voicedesk-post-call-dlq",
    "d1 migrations apply DB --remote",
    "secret list --format json",
    `deploy --secrets-file ${h.files[0]}`,
  ]);
  assert.equal(readConfig(h.root).d1_databases[0]?.database_id, DB_ID, "wrangler reads the id back");
  const [up] = h.uploads;
  assert.deepEqual(Object.keys(up ?? {}).sort(), ["ADMIN_TOKEN", "ENCRYPTION_KEY", "JWT_SECRET"]);
  assert.equal(Buffer.from(up?.ENCRYPTION_KEY ?? "", "base64").length, 32);
  assert.match(up?.ADMIN_TOKEN ?? "", /^[\w-]{43}$/);
  assert.ok(Buffer.from(up?.JWT_SECRET ?? "", "base64url").length >= 32);
  assert.throws(() => readFileSync(h.files[0] ?? ""), /ENOENT/, "the secrets file is gone after the deploy");
  const out = h.logs.join("\n");
  assert.ok(out.includes("POST https://voicedesk.acme.workers.dev/api/TwilioCalls/voice"));
  assert.ok(out.includes("POST https://voicedesk.acme.workers.dev/twiml"));
  assert.ok(out.includes(`ADMIN_TOKEN (shown once; keep it in your password manager): ${up?.ADMIN_TOKEN}`));
  assert.equal(out.split(up?.ADMIN_TOKEN ?? "-").length, 2, "the admin token is printed exactly once");
  assert.ok(
    !out.includes(up?.ENCRYPTION_KEY ?? "-") && !out.includes(up?.JWT_SECRET ?? "-"),
    "other secrets are never printed",
  );
  assert.ok(out.includes("doctor https://voicedesk.acme.workers.dev 43"));
});

test("an existing deployment: nothing created, ENCRYPTION_KEY never replaced, the admin token rotated only when asked", async () => {
  const account = {
    loggedIn: true,
    databases: [{ name: "voicedesk", uuid: DB_ID }],
    buckets: ["voicedesk-recordings"],
    queues: ["voicedesk-post-call", "voicedesk-post-call-dlq"],
    secrets: ["ADMIN_TOKEN", "ENCRYPTION_KEY", "JWT_JWKS_URL", "PUBLIC_BASE_URL"],
  };
  const h = harness(account);
  writeFileSync(join(h.root, "wrangler.toml"), setDatabaseId(h.deps.readToml(), "DB", DB_ID));
  h.deps.config = readConfig(h.root);
  await setupRemote(h.deps, {});
  assert.deepEqual(h.calls, [
    "whoami",
    "r2 bucket info voicedesk-recordings",
    "queues info voicedesk-post-call",
    "queues info voicedesk-post-call-dlq",
    "d1 migrations apply DB --remote",
    "secret list --format json",
    "deploy",
  ]);
  assert.deepEqual(h.uploads, []);
  assert.ok(h.logs.includes("ENCRYPTION_KEY: set, kept (never replaced: tenant secrets are stored under it)"));

  const again = harness({ ...account, secrets: [...account.secrets] });
  writeFileSync(join(again.root, "wrangler.toml"), setDatabaseId(again.deps.readToml(), "DB", DB_ID));
  again.deps.config = readConfig(again.root);
  await setupRemote(again.deps, { rotateAdminToken: true, publicUrl: "https://voice.acme.example" });
  assert.deepEqual(Object.keys(again.uploads[0] ?? {}).sort(), ["ADMIN_TOKEN", "PUBLIC_BASE_URL"]);
  assert.ok(again.logs.join("\n").includes("POST https://voice.acme.example/api/TwilioCalls/voice"));
});

test("a JWKS URL and a public origin given at the prompts are uploaded; answers that are not https are asked again", async () => {
  const h = harness({
    loggedIn: true,
    databases: [{ name: "voicedesk", uuid: DB_ID }],
    buckets: ["voicedesk-recordings"],
    queues: ["voicedesk-post-call", "voicedesk-post-call-dlq"],
    secrets: ["ADMIN_TOKEN", "ENCRYPTION_KEY"],
  });
  let jwksTries = 0;
  h.deps.ask = async (q) => {
    if (q === JWKS_QUESTION)
      return ++jwksTries === 1 ? "http://idp.acme.example/jwks" : "https://idp.acme.example/.well-known/jwks.json";
    if (q === PUBLIC_URL_QUESTION) return "https://voice.acme.example/";
    return "";
  };
  await setupRemote(h.deps, {});
  assert.equal(jwksTries, 2);
  assert.ok(h.logs.includes("  must be an https URL"));
  assert.deepEqual(h.uploads[0], {
    JWT_JWKS_URL: "https://idp.acme.example/.well-known/jwks.json",
    PUBLIC_BASE_URL: "https://voice.acme.example",
  });
});

test("not logged in: stops before touching anything, saying how to log in", async () => {
  const h = harness({ loggedIn: false, databases: [], buckets: [], queues: [], secrets: null });
  await assert.rejects(
    setupRemote(h.deps, {}),
    (e: unknown) => e instanceof SetupStop && /npx wrangler login/.test(e.message),
  );
  assert.deepEqual(h.calls, ["whoami"]);
});

test("a failing wrangler step stops the setup with wrangler's own words, before the deploy", async () => {
  const h = harness({
    loggedIn: true,
    databases: [{ name: "voicedesk", uuid: DB_ID }],
    buckets: ["voicedesk-recordings"],
    queues: ["voicedesk-post-call", "voicedesk-post-call-dlq"],
    secrets: null,
  });
  const inner = h.deps.wrangler;
  h.deps.wrangler = async (args, mode) =>
    args[1] === "migrations"
      ? { status: 1, stdout: "", stderr: '✘ [ERROR] near "CREAT": syntax error' }
      : inner(args, mode);
  await assert.rejects(
    setupRemote(h.deps, {}),
    /Applying migrations failed \(wrangler d1 migrations apply DB --remote\):\n.*syntax error/,
  );
  assert.ok(!h.calls.some((c) => c.startsWith("deploy")));
});

test("queues in wrangler.toml are created before the deploy when missing (the post-call queue on main)", async () => {
  const h = harness({
    loggedIn: true,
    databases: [{ name: "voicedesk", uuid: DB_ID }],
    buckets: ["voicedesk-recordings"],
    queues: [],
    secrets: null,
  });
  h.deps.config = {
    ...h.deps.config,
    queues: {
      producers: [{ queue: "voicedesk-post-call" }],
      consumers: [
        { queue: "voicedesk-post-call", dead_letter_queue: "voicedesk-post-call-dlq" },
        { queue: "voicedesk-post-call-dlq" },
      ],
    },
  };
  const inner = h.deps.wrangler;
  h.deps.wrangler = async (args, mode) =>
    args[0] === "queues" && args[1] === "info"
      ? { status: args[2] === "voicedesk-post-call" ? 0 : 1, stdout: "", stderr: "" }
      : inner(args, mode);
  await setupRemote(h.deps, {});
  const queueCalls = h.calls.filter((c) => c.startsWith("queues"));
  assert.deepEqual(queueCalls, ["queues create voicedesk-post-call-dlq"]);
  assert.ok(
    h.calls.indexOf("queues create voicedesk-post-call-dlq") < h.calls.findIndex((c) => c.startsWith("deploy")),
  );
  assert.deepEqual(queueNames({ queues: {} }), []);
});

test("--dry-run prints a first setup's wrangler commands and changes nothing", () => {
  const before = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/setup-remote.ts"), "--dry-run"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const commands = [...r.stdout.matchAll(/\[dry run\] wrangler (.+)/g)].map((m) => m[1]);
  assert.deepEqual(commands, [
    "whoami",
    "d1 list --json",
    "d1 create voicedesk",
    "d1 list --json",
    "r2 bucket info voicedesk-recordings",
    "r2 bucket create voicedesk-recordings",
    "queues info voicedesk-post-call",
    "queues create voicedesk-post-call",
    "queues info voicedesk-post-call-dlq",
    "queues create voicedesk-post-call-dlq",
    "d1 migrations apply DB --remote",
    "secret list --format json",
    "deploy --secrets-file <secrets file>",
  ]);
  assert.match(r.stdout, /POST https:\/\/voicedesk\.your-subdomain\.workers\.dev\/api\/TwilioCalls\/voice/);
  assert.equal(readFileSync(join(ROOT, "wrangler.toml"), "utf8"), before);
});
