/**
 * `npm run check:deploy` fails CI when it should: on a scratch copy of the project's wrangler.toml, env and
 * migrations, each check passes when current and fails, naming the problem, once the copy is broken on purpose.
 * node:test, run by `npm test` (named test-*.ts, not *.test.ts, so that vitest leaves it to Node).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { budgetProblems, describeBundle, measureBundle } from "./lib/bundle-budget";
import {
  envMembers,
  envTypesProblems,
  generateTypes,
  migrationListProblems,
  missingFromEnvProblems,
  parseMigrationList,
  TYPES_FILE,
  writeMigrationList,
} from "./lib/env-checks";

const ROOT = new URL("..", import.meta.url).pathname;
let dir = "";

/** A fresh copy of what the checks read, with everything generated and current. */
function scratch(): string {
  const d = mkdtempSync(join(dir, "p-"));
  for (const f of ["wrangler.toml", "worker-secrets.env", "src/env.ts", "migrations"])
    cpSync(join(ROOT, f), join(d, f), { recursive: true });
  mkdirSync(join(d, "src/health"), { recursive: true });
  // wrangler types reads the entry's Durable Object exports by the class names in wrangler.toml.
  writeFileSync(
    join(d, "src/index.ts"),
    "export class CallSession {}\nexport class TicketRecorder {}\nexport class RateLimiter {}\n",
  );
  generateTypes(d);
  writeMigrationList(d);
  return d;
}

function checkDeploy(root: string, ...flags: string[]) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts/check-deploy.ts"), "--root", root, ...flags],
    {
      encoding: "utf8",
      cwd: ROOT,
    },
  );
  return { status: r.status, out: r.stdout + r.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "check-deploy-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("a current checkout passes every generated-file check, and the CLI exits 0", () => {
  const d = scratch();
  assert.deepEqual(envTypesProblems(d), []);
  assert.deepEqual(missingFromEnvProblems(d), []);
  assert.deepEqual(migrationListProblems(d), []);
  for (const name of [
    "DB",
    "RECORDINGS",
    "CALLS",
    "TICKET_RECORDERS",
    "RATE_LIMITER",
    "OPENAI_BASE_URL",
    "ADMIN_TOKEN",
    "JWT_SECRET",
  ]) {
    assert.ok(envMembers(d).includes(name), name);
  }
  const r = checkDeploy(d, "--only", "types,env,migrations");
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /✓ worker-configuration\.d\.ts is what wrangler types generates/);
});

test("a binding added to wrangler.toml without regenerating: stale types, and the binding is missing from Env", () => {
  const d = scratch();
  appendFileSync(
    join(d, "wrangler.toml"),
    '\n[[kv_namespaces]]\nbinding = "SESSIONS"\nid = "0123456789abcdef0123456789abcdef"\n',
  );
  assert.match(envTypesProblems(d).join("\n"), /worker-configuration\.d\.ts is stale/);
  assert.deepEqual(missingFromEnvProblems(d), [
    "SESSIONS (kv_namespace) is declared in wrangler.toml or worker-secrets.env but missing from Env in src/env.ts",
  ]);
  const r = checkDeploy(d, "--only", "types,env");
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /✗ every wrangler\.toml binding is in Env\n {4}SESSIONS \(kv_namespace\)/);
  assert.match(r.out, /check:deploy: 2 problems/);
});

test("a required secret added to worker-secrets.env without regenerating fails both checks", () => {
  const d = scratch();
  appendFileSync(join(d, "worker-secrets.env"), "TELNYX_WEBHOOK_SECRET=\n");
  assert.equal(envTypesProblems(d).length, 1);
  assert.match(missingFromEnvProblems(d).join(), /TELNYX_WEBHOOK_SECRET \(secret\)/);
});

test("a hand-edited generated file is stale even though its header hash still matches", () => {
  const d = scratch();
  const path = join(d, TYPES_FILE);
  writeFileSync(path, readFileSync(path, "utf8").replace(/\n\s*RECORDINGS: R2Bucket;/, ""));
  assert.match(envTypesProblems(d).join(), /stale/);
  assert.match(missingFromEnvProblems(d).join(), /^RECORDINGS \(r2_bucket\) is declared/);
});

test("re-indenting the generated file (a formatter) is not staleness", () => {
  const d = scratch();
  const path = join(d, TYPES_FILE);
  writeFileSync(path, readFileSync(path, "utf8").replace(/\t/g, "  "));
  assert.deepEqual(envTypesProblems(d), []);
});

test("a hand-written Env that forgets a binding fails even when the generated file is current", () => {
  const d = scratch();
  writeFileSync(
    join(d, "src/env.ts"),
    `export interface Env {\n${[
      "DB: D1Database;",
      ...["CALLS", "TICKET_RECORDERS", "RATE_LIMITER", "CAMPAIGNS", "RINGCENTRAL_AUTH", "RINGCENTRAL_SESSIONS"].map(
        (n) => `${n}: unknown;`,
      ),
      "POST_CALL: Queue;",
      ...["OPENAI_BASE_URL", "ADMIN_TOKEN", "ENCRYPTION_KEY"].map((n) => `${n}: string;`),
    ].join("\n")}\n}\n`,
  );
  assert.deepEqual(envTypesProblems(d), []);
  assert.deepEqual(missingFromEnvProblems(d), [
    "RECORDINGS (r2_bucket) is declared in wrangler.toml or worker-secrets.env but missing from Env in src/env.ts",
  ]);
});

test("a migration added without regenerating the bundled list fails, naming it; regenerating fixes it", () => {
  const d = scratch();
  writeFileSync(join(d, "migrations/0099_new_table.sql"), "CREATE TABLE t (id INTEGER);\n");
  assert.deepEqual(migrationListProblems(d), [
    "src/health/migration-list.ts is stale (lacks 0099_new_table.sql): run npm run gen:types",
  ]);
  writeMigrationList(d);
  assert.deepEqual(migrationListProblems(d), []);
  assert.equal(
    parseMigrationList(readFileSync(join(d, "src/health/migration-list.ts"), "utf8")).names.at(-1),
    "0099_new_table.sql",
  );
});

test("the migration list is read however a formatter lays it out", () => {
  const text =
    'export const MIGRATIONS_TABLE = "d1_migrations";\nexport const BUNDLED_MIGRATIONS: readonly string[] = ["0001_a.sql", "0002_b.sql"];\n';
  assert.deepEqual(parseMigrationList(text), { table: "d1_migrations", names: ["0001_a.sql", "0002_b.sql"] });
});

test("the bundle budget: measured over the uploaded modules only, over budget is a problem", () => {
  const out = mkdtempSync(join(dir, "out-"));
  writeFileSync(join(out, "index.js"), "x".repeat(3000));
  writeFileSync(join(out, "index.js.map"), "y".repeat(100_000));
  writeFileSync(join(out, "README.md"), "not uploaded");
  const size = measureBundle(out);
  assert.deepEqual(size.files, ["index.js"]);
  assert.equal(size.rawBytes, 3000);
  assert.ok(size.gzipBytes > 0 && size.gzipBytes < 3000);
  assert.deepEqual(budgetProblems(size, { rawKiB: 4, gzipKiB: 1 }), []);
  assert.deepEqual(budgetProblems(size, { rawKiB: 2, gzipKiB: 1 }), ["raw size 2.9 KiB is over the budget of 2 KiB"]);
  assert.deepEqual(budgetProblems(measureBundle(mkdtempSync(join(dir, "empty-")))), ["the dry run wrote no module"]);
  assert.match(
    describeBundle(size, { rawKiB: 4, gzipKiB: 1 }),
    /^bundle 2\.9 KiB raw \(budget 4 KiB\), 0\.\d KiB gzip \(budget 1 KiB\)$/,
  );
});

test("the real Worker, bundled offline by wrangler deploy --dry-run, fails CI when over a budget", () => {
  const r = checkDeploy(ROOT, "--only", "bundle", "--budget-gzip-kib", "100");
  assert.equal(r.status, 1, r.out);
  assert.match(
    r.out,
    /✗ wrangler deploy --dry-run bundles within budget: bundle \d+\.\d KiB raw \(budget 1536 KiB\), \d+\.\d KiB gzip \(budget 100 KiB\)/,
  );
  assert.match(r.out, /gzip size \d+\.\d KiB is over the budget of 100 KiB/);
});
