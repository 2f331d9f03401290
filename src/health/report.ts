import type { Env } from "../env";
import type { Check } from "./check";
import { adminTokenCheck, encryptionKeyCheck, jwtCheck, publicUrlCheck } from "./config";
import { bindingChecks, d1Check, migrationsCheck, r2Check } from "./platform";
import { type TenantScope, tenantChecks } from "./tenants";

export interface HealthReport {
  /** True when every check passed; the route answers 200 then, 503 otherwise. */
  ok: boolean;
  checkedAt: string;
  checks: Check[];
}

function asOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * The deployment's checks (bindings, D1, R2, migrations, secrets, public URL), then — only when asked — the
 * tenants' (their Twilio account and OpenAI key, which cost subrequests to the carriers).
 */
export async function healthReport(
  env: Env,
  requestOrigin: string,
  tenants: TenantScope | null,
): Promise<HealthReport> {
  // As URL parsing writes it (lower-case host, no default port), to compare with the URLs Twilio reports.
  const origin = asOrigin(env.PUBLIC_BASE_URL || requestOrigin);
  const [d1, r2, migrations, jwt, tenantLines] = await Promise.all([
    d1Check(env),
    r2Check(env),
    migrationsCheck(env),
    jwtCheck(env),
    tenants ? tenantChecks(env, origin, tenants) : Promise.resolve([]),
  ]);
  const checks = [
    ...bindingChecks(env),
    ...d1,
    ...migrations,
    ...r2,
    adminTokenCheck(env),
    encryptionKeyCheck(env),
    jwt,
    publicUrlCheck(env, requestOrigin),
    ...tenantLines,
  ];
  return { ok: checks.every((c) => c.ok), checkedAt: new Date().toISOString(), checks };
}
