// `npm run doctor`'s parts that need no network: what to ask for, and how to print the answer.

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}
export interface Report {
  ok: boolean;
  checkedAt?: string;
  checks: Check[];
}

export interface DoctorOptions {
  url: string;
  adminToken: string;
  customer?: string;
  tenants?: string;
  offset?: string;
}

export function healthUrl(o: DoctorOptions): string {
  const u = new URL("/api/admin/health", o.url.replace(/\/+$/, "") + "/");
  if (o.customer) u.searchParams.set("customerId", o.customer);
  if (o.tenants) u.searchParams.set("tenants", o.tenants);
  if (o.offset) u.searchParams.set("offset", o.offset);
  return u.toString();
}

export function isReport(body: unknown): body is Report {
  const b = body as Report | null;
  return Array.isArray(b?.checks) && b.checks.every((c) => typeof c?.name === "string" && typeof c.ok === "boolean");
}

/** ✓/✗ per check, names aligned, the fix under each ✗, and a closing count. */
export function formatReport(r: Report, url: string): string {
  const width = Math.max(...r.checks.map((c) => c.name.length), 0);
  const lines = [`voicedesk doctor: ${url}${r.checkedAt ? ` (${r.checkedAt})` : ""}`, ""];
  for (const c of r.checks) {
    lines.push(`  ${c.ok ? "✓" : "✗"} ${c.name.padEnd(width)}  ${c.detail}`);
    if (!c.ok && c.fix) lines.push(`      fix: ${c.fix}`);
  }
  const failed = r.checks.filter((c) => !c.ok).length;
  lines.push("", failed ? `${failed} of ${r.checks.length} checks failed.` : `All ${r.checks.length} checks passed.`);
  return lines.join("\n");
}

/** What an answer that is not a report means, in words. */
export function explainStatus(status: number, body: unknown, url: string): string {
  const error = (body as { error?: unknown } | null)?.error;
  const said = typeof error === "string" ? `: ${error}` : "";
  if (status === 401) return `the admin token was refused (401${said}); pass the Worker's ADMIN_TOKEN`;
  if (status === 404)
    return `no health report at ${url} (404${said}): is this voicedesk, deployed with /api/admin/health?`;
  if (status === 400) return `the Worker refused the query (400${said})`;
  return `unexpected answer ${status}${said}`;
}

/** Fetches the report; a problem in words when there is none to print (unreachable, refused token, no such route). */
export async function fetchReport(o: DoctorOptions): Promise<{ report: Report } | { problem: string }> {
  const url = healthUrl(o);
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${o.adminToken}`, Accept: "application/json" } });
  } catch (e) {
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    return { problem: `could not reach ${url}: ${why}` };
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return isReport(body) ? { report: body } : { problem: explainStatus(res.status, body, url) };
}
