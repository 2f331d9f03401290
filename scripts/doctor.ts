/**
 * `npm run doctor -- --url https://voicedesk.example.com [--admin-token T] [--customer ID | --tenants all [--offset N]]`:
 * fetches GET /api/admin/health and prints it (✓/✗, the fix under each ✗). Exits 0 when every check passed, 1
 * otherwise or when there is no report to print. The token may come from ADMIN_TOKEN instead, to keep it out of the
 * shell's history. `--json` prints the report as the Worker sent it.
 */
import { parseArgs } from "node:util";
import { fetchReport, formatReport } from "./lib/doctor-report";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    "admin-token": { type: "string" },
    customer: { type: "string" },
    tenants: { type: "string" },
    offset: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

function die(message: string): never {
  console.error(`doctor: ${message}`);
  process.exit(1);
}

const adminToken = values["admin-token"] ?? process.env.ADMIN_TOKEN;
if (!values.url) die("--url is required, e.g. --url https://voicedesk.example.com");
if (!URL.canParse(values.url)) die(`--url ${values.url} is not a URL`);
if (!adminToken) die("--admin-token (or ADMIN_TOKEN in the environment) is required");

const got = await fetchReport({ ...values, url: values.url, adminToken });
if ("problem" in got) die(got.problem);
console.log(values.json ? JSON.stringify(got.report, null, 2) : formatReport(got.report, values.url));
process.exit(got.report.checks.every((c) => c.ok) ? 0 : 1);
