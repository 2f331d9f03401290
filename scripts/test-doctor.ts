/**
 * `npm run doctor`: the printed report, and its exit code, against a stand-in Worker on loopback.
 * node:test, run by `npm test` (named test-*.ts, not *.test.ts, so that vitest leaves it to Node).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { formatReport, healthUrl, type Report } from "./lib/doctor-report";

const ROOT = new URL("..", import.meta.url).pathname;
const TOKEN = "doctor-test-admin-token-0123456789";
const passing: Report = {
  ok: true,
  checkedAt: "2026-12-03T10:00:00.000Z",
  checks: [
    { name: "binding.DB", ok: true, detail: "a D1 database is bound" },
    { name: "secret.JWT", ok: true, detail: "JWT_SECRET is 48 bytes (HS256 rep tokens)" },
  ],
};
const failingReport: Report = {
  ok: false,
  checks: [
    { name: "binding.DB", ok: true, detail: "a D1 database is bound" },
    {
      name: "secret.ENCRYPTION_KEY",
      ok: false,
      detail: "base64 of 16 bytes, fewer than 32",
      fix: "openssl rand -base64 32 | wrangler secret put ENCRYPTION_KEY",
    },
  ],
};

let server: Server;
let base = "";
const seen: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: "Invalid admin token" });
    if (req.url === "/api/admin/health") return send(200, passing);
    if (req.url === "/api/admin/health?customerId=7") return send(503, failingReport);
    return send(404, { error: `No route for GET ${req.url}` });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function doctor(...args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/doctor.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ADMIN_TOKEN: "" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    child.stderr.on("data", (b: Buffer) => (err += b));
    child.on("close", (status) => resolve({ status, out, err }));
  });
}

test("the report, one aligned line per check, the fix under each ✗", () => {
  assert.equal(
    formatReport(failingReport, "https://voicedesk.example.com"),
    [
      "voicedesk doctor: https://voicedesk.example.com",
      "",
      "  ✓ binding.DB             a D1 database is bound",
      "  ✗ secret.ENCRYPTION_KEY  base64 of 16 bytes, fewer than 32",
      "      fix: openssl rand -base64 32 | wrangler secret put ENCRYPTION_KEY",
      "",
      "1 of 2 checks failed.",
    ].join("\n"),
  );
  assert.match(formatReport(passing, "u"), /\(2026-12-03T10:00:00\.000Z\)\n[\s\S]*All 2 checks passed\.$/);
});

test("the health URL: trailing slashes dropped, tenant options passed on", () => {
  assert.equal(healthUrl({ url: "https://v.example.com/", adminToken: "t" }), "https://v.example.com/api/admin/health");
  assert.equal(
    healthUrl({ url: "https://v.example.com", adminToken: "t", tenants: "all", offset: "20" }),
    "https://v.example.com/api/admin/health?tenants=all&offset=20",
  );
});

test("exits 0 when every check passed", async () => {
  const r = await doctor("--url", base, "--admin-token", TOKEN);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /✓ secret\.JWT {2}JWT_SECRET is 48 bytes/);
  assert.match(r.out, /All 2 checks passed\./);
});

test("exits 1 with the fix when a check failed; --customer asks for the tenant's checks", async () => {
  const r = await doctor("--url", base, "--admin-token", TOKEN, "--customer", "7");
  assert.equal(r.status, 1);
  assert.equal(seen.at(-1), "/api/admin/health?customerId=7");
  assert.match(r.out, /✗ secret\.ENCRYPTION_KEY {2}base64 of 16 bytes, fewer than 32\n {6}fix: openssl rand/);
});

test("exits 1 saying why when there is no report: refused token, no such route, nothing listening, no token", async () => {
  const refused = await doctor("--url", base, "--admin-token", "wrong");
  assert.equal(refused.status, 1);
  assert.match(refused.err, /the admin token was refused \(401: Invalid admin token\)/);
  const wrong = await doctor("--url", base, "--admin-token", TOKEN, "--tenants", "all");
  assert.equal(wrong.status, 1);
  assert.match(wrong.err, /no health report at .*\/api\/admin\/health\?tenants=all \(404/);
  const closed = await doctor("--url", "http://127.0.0.1:1", "--admin-token", TOKEN);
  assert.equal(closed.status, 1);
  assert.match(closed.err, /could not reach http:\/\/127\.0\.0\.1:1\/api\/admin\/health: /);
  const noToken = await doctor("--url", base);
  assert.equal(noToken.status, 1);
  assert.match(noToken.err, /--admin-token \(or ADMIN_TOKEN in the environment\) is required/);
});
