import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import type { Check } from "../../src/health/check";
import type { HealthReport } from "../../src/health/report";
import { BASE, hex } from "../helpers";

/** The test Worker's own admin token is short on purpose; the report's checks run with this one unless a test says. */
export const GOOD_ADMIN_TOKEN = `adm_${hex(24)}`;

/**
 * GET /api/admin/health through the production app, with the test Worker's bindings and secrets changed as the
 * test needs (a secret removed, a binding replaced): the report is about exactly those.
 */
export async function health(query = "", patch: Partial<Record<keyof Env, unknown>> = {}, origin = BASE) {
  const e = { ...env, ADMIN_TOKEN: GOOD_ADMIN_TOKEN, ...patch } as Env;
  const res = await createApp().request(
    `${origin}/api/admin/health${query}`,
    { headers: { Authorization: `Bearer ${patch.ADMIN_TOKEN ?? GOOD_ADMIN_TOKEN}` } },
    e,
  );
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: JSON.parse(text) as HealthReport & { error?: string },
  };
}

export const failing = (r: HealthReport) => r.checks.filter((c) => !c.ok);
export const line = (r: HealthReport, name: string): Check | undefined => r.checks.find((c) => c.name === name);

/** A JSON POST, for the fakes' control endpoints. */
export const postJson = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});
