/**
 * The pure parts of `npm run setup:remote`: its wrangler.toml edit, reading wrangler's answers, the carriers' URLs.
 * node:test, run by `npm test` (named test-*.ts, not *.test.ts, so that vitest leaves it to Node).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { carrierUrls, databaseIdIn, httpsOrigin, secretNames, setDatabaseId, workersDevUrl } from "./lib/setup-text";

const ROOT = new URL("..", import.meta.url).pathname;
const DB_ID = "6f1d2c3b-0000-4000-8000-00000000abcd";

test("wrangler.toml: database_id set in the DB table, replaced when present, comments and other tables untouched", () => {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const once = setDatabaseId(toml, "DB", DB_ID);
  assert.equal(once.split("\n").length, toml.split("\n").length + 1);
  assert.match(once, /database_name = "voicedesk"\ndatabase_id = "6f1d2c3b-0000-4000-8000-00000000abcd"\n/);
  assert.equal(setDatabaseId(once, "DB", "other-id").replace('"other-id"', `"${DB_ID}"`), once);
  assert.throws(() => setDatabaseId(toml, "NOPE", DB_ID), /no \[\[d1_databases\]\] table with binding = "NOPE"/);
});

test("parsing wrangler's answers, and the carriers' URLs", () => {
  assert.deepEqual(secretNames('[{"name":"ADMIN_TOKEN","type":"secret_text"}]'), ["ADMIN_TOKEN"]);
  assert.deepEqual(secretNames("Worker not found"), []);
  assert.equal(databaseIdIn('[{"uuid":"a","name":"other"},{"uuid":"b","name":"voicedesk"}]', "voicedesk"), "b");
  assert.equal(databaseIdIn("[]", "voicedesk"), null);
  assert.equal(
    workersDevUrl("Deployed\n  https://voicedesk.acme-corp.workers.dev\n"),
    "https://voicedesk.acme-corp.workers.dev",
  );
  assert.deepEqual(httpsOrigin("http://x.example"), { problem: "must be https" });
  assert.deepEqual(httpsOrigin("https://x.example/path"), { problem: "must be an origin, without a path or query" });
  const urls = carrierUrls("https://v.example").join("\n");
  assert.match(urls, /Telnyx — BEING BUILT[\s\S]*POST https:\/\/v\.example\/api\/webhooks\/telnyx\/voice/);
  assert.match(
    urls,
    /RingCentral — BEING BUILT[\s\S]*https:\/\/v\.example\/api\/webhooks\/ringcentral\/\{customerId\}/,
  );
});
