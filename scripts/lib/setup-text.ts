// The pure parts of `npm run setup:remote`: wrangler.toml's database_id, generated secrets, parsing wrangler's
// answers, and the URLs to give each carrier.
import { randomBytes } from "node:crypto";

/** Sets (or adds) `database_id` in the `[[d1_databases]]` table whose binding is `binding`, keeping the rest as written. */
export function setDatabaseId(toml: string, binding: string, id: string): string {
  const lines = toml.split("\n");
  const starts = lines.flatMap((l, i) => (/^\s*\[/.test(l) ? [i] : []));
  for (const [k, start] of starts.entries()) {
    if (lines[start]?.trim() !== "[[d1_databases]]") continue;
    const end = starts[k + 1] ?? lines.length;
    const block = lines.slice(start + 1, end);
    if (!block.some((l) => new RegExp(`^\\s*binding\\s*=\\s*"${binding}"`).test(l))) continue;
    const line = `database_id = "${id}"`;
    const existing = block.findIndex((l) => /^\s*database_id\s*=/.test(l));
    if (existing >= 0) lines[start + 1 + existing] = line;
    else {
      const name = block.findIndex((l) => /^\s*database_name\s*=/.test(l));
      const after = start + 1 + (name >= 0 ? name : block.findIndex((l) => /^\s*binding\s*=/.test(l)));
      lines.splice(after + 1, 0, line);
    }
    return lines.join("\n");
  }
  throw new Error(`wrangler.toml has no [[d1_databases]] table with binding = "${binding}"`);
}

/** Fresh values for the secrets setup generates (sizes as the health checks want them, docs/deploy.md). */
export const generators: Record<string, () => string> = {
  ADMIN_TOKEN: () => randomBytes(32).toString("base64url"),
  ENCRYPTION_KEY: () => randomBytes(32).toString("base64"),
  JWT_SECRET: () => randomBytes(48).toString("base64url"),
};

/** Names from `wrangler secret list --format json` (`[{name, type}]`); none when the answer is not that. */
export function secretNames(json: string): string[] {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) ? list.flatMap((s) => (typeof s?.name === "string" ? [s.name] : [])) : [];
  } catch {
    return [];
  }
}

/** The uuid of the database named `name` in `wrangler d1 list --json`, or null. */
export function databaseIdIn(json: string, name: string): string | null {
  try {
    const list: unknown = JSON.parse(json);
    const db = Array.isArray(list) ? list.find((d) => d?.name === name) : null;
    return typeof db?.uuid === "string" ? db.uuid : null;
  } catch {
    return null;
  }
}

/** The workers.dev URL `wrangler deploy` printed, if any. */
export const workersDevUrl = (output: string) =>
  /https:\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.workers\.dev\b/i.exec(output)?.[0] ?? null;

/** An https origin (no path), or null with what is wrong. */
export function httpsOrigin(input: string): { origin: string } | { problem: string } {
  let u: URL;
  try {
    u = new URL(input.trim());
  } catch {
    return { problem: "not a URL" };
  }
  if (u.protocol !== "https:") return { problem: "must be https" };
  if (u.pathname !== "/" || u.search) return { problem: "must be an origin, without a path or query" };
  return { origin: u.origin };
}

export function isHttpsUrl(input: string): boolean {
  try {
    return new URL(input).protocol === "https:";
  } catch {
    return false;
  }
}

/** What to paste where, per carrier. Telnyx and RingCentral are marked: their webhooks are being built. */
export function carrierUrls(base: string): string[] {
  return [
    'Twilio (per tenant, docs/deploy.md "Twilio console"):',
    `  TwiML app → Voice Request URL      POST ${base}/api/TwilioCalls/voice`,
    `  TwiML app → Status Callback URL    POST ${base}/api/TwilioCalls/statuscallback`,
    `  numbers an assistant answers → A call comes in → Webhook   POST ${base}/twiml`,
    "  (recording callbacks and media streams are set by the Worker on each call)",
    "Telnyx — BEING BUILT (issue 12), not served by this version yet:",
    `  Call Control application → Webhook URL   POST ${base}/api/webhooks/telnyx/voice`,
    "RingCentral — BEING BUILT (issue 13), not served by this version yet:",
    `  webhook ${base}/api/webhooks/ringcentral/{customerId}, registered by POST /api/admin/customers/{customerId}/ringcentral/subscription`,
  ];
}

/** The first tenant, as a command to run (secrets left as placeholders for the operator to fill in). */
export function firstTenantCommand(base: string): string[] {
  return [
    `curl -s -X POST ${base}/api/admin/customers -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d '{`,
    `  "name": "Acme", "twilio": {"accountSid": "AC…", "authToken": "…", "apiKeySid": "SK…", "apiKeySecret": "…",`,
    `  "twimlAppSid": "AP…", "region": "ie1", "edge": "dublin"}, "openai": {"apiKey": "sk-…"}}'`,
  ];
}
