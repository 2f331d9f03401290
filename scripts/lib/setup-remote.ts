// `npm run setup:remote`'s steps, with wrangler, the prompts and the files passed in, so that tests (and --dry-run)
// can drive them without a Cloudflare account. Order matters: the database id must be in wrangler.toml before
// migrations can be applied remotely, and migrations go before the code that needs them (docs/deploy.md).
import { requiredSecrets } from "./env-checks";
import {
  carrierUrls,
  databaseIdIn,
  firstTenantCommand,
  generators,
  httpsOrigin,
  isHttpsUrl,
  secretNames,
  setDatabaseId,
  workersDevUrl,
} from "./setup-text";
import type { RunResult, WranglerConfig } from "./wrangler";

/** capture: output returned, not shown; interactive: the terminal is wrangler's (prompts); tee: shown and returned. */
export type RunMode = "capture" | "interactive" | "tee";

export interface SetupDeps {
  root: string;
  config: WranglerConfig & { name?: string };
  wrangler(args: string[], mode: RunMode): Promise<RunResult>;
  ask(question: string): Promise<string>;
  log(line: string): void;
  readToml(): string;
  writeToml(text: string): void;
  /** Writes the values where only this user can read them; the caller removes the file once deployed. */
  writeSecretsFile(values: Record<string, string>): { path: string; remove(): void };
  /** Prints the deployed Worker's health report (npm run doctor). */
  doctor(base: string, adminToken: string): Promise<void>;
}

export interface SetupOptions {
  location?: string;
  publicUrl?: string;
  rotateAdminToken?: boolean;
  /** Only changes the wording: nothing generated in a dry run is ever uploaded. */
  dryRun?: boolean;
}

export class SetupStop extends Error {}

export const JWKS_QUESTION =
  "JWKS URL of your identity provider for RS256/ES256 rep tokens (Enter: generate an HS256 JWT_SECRET): ";
export const PUBLIC_URL_QUESTION =
  "Public https origin Twilio will call, e.g. a custom domain (Enter: the workers.dev URL): ";

export async function setupRemote(d: SetupDeps, o: SetupOptions = {}): Promise<void> {
  const step = (title: string) => d.log(`\n▸ ${title}`);
  const must = async (args: string[], mode: RunMode, what: string) => {
    const r = await d.wrangler(args, mode);
    if (r.status !== 0) throw new SetupStop(`${what} failed (wrangler ${args.join(" ")}):\n${r.stdout}${r.stderr}`);
    return r;
  };
  const location = o.location ? ["--location", o.location] : [];

  step("Cloudflare login");
  const who = await d.wrangler(["whoami"], "capture");
  if (who.status !== 0 || /not authenticated/i.test(who.stdout + who.stderr)) {
    throw new SetupStop(
      "Not logged in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then again.",
    );
  }
  d.log(
    who.stdout
      .split("\n")
      .find((l) => /associated with the email|logged in/i.test(l))
      ?.trim() ?? "logged in",
  );

  step("D1 database");
  const db = d.config.d1_databases.find((x) => x.binding === "DB");
  if (!db?.database_name)
    throw new SetupStop('wrangler.toml needs a [[d1_databases]] table with binding = "DB" and a database_name');
  let id =
    db.database_id ??
    databaseIdIn((await must(["d1", "list", "--json"], "capture", "Listing D1 databases")).stdout, db.database_name);
  if (!id) {
    await must(["d1", "create", db.database_name, ...location], "tee", `Creating D1 database ${db.database_name}`);
    id = databaseIdIn(
      (await must(["d1", "list", "--json"], "capture", "Listing D1 databases")).stdout,
      db.database_name,
    );
    if (!id) throw new SetupStop(`D1 database ${db.database_name} was created but is not listed`);
  }
  if (db.database_id !== id) {
    d.writeToml(setDatabaseId(d.readToml(), "DB", id));
    d.log(`wrangler.toml: database_id = "${id}" (${db.database_name}); commit it for your deployment`);
  } else d.log(`${db.database_name} (${id})`);

  step("R2 bucket");
  const bucket = d.config.r2_buckets.find((b) => b.binding === "RECORDINGS")?.bucket_name;
  if (!bucket)
    throw new SetupStop('wrangler.toml needs an [[r2_buckets]] table with binding = "RECORDINGS" and a bucket_name');
  if ((await d.wrangler(["r2", "bucket", "info", bucket], "capture")).status === 0) d.log(`${bucket} exists`);
  else await must(["r2", "bucket", "create", bucket, ...location], "tee", `Creating R2 bucket ${bucket}`);

  const queues = queueNames(d.config);
  if (queues.length) {
    step("Queues (wrangler deploy refuses to bind a queue that does not exist)");
    for (const q of queues) {
      if ((await d.wrangler(["queues", "info", q], "capture")).status === 0) d.log(`${q} exists`);
      else await must(["queues", "create", q], "tee", `Creating queue ${q}`);
    }
  }

  step("Migrations (before any code that needs them)");
  await must(["d1", "migrations", "apply", "DB", "--remote"], "interactive", "Applying migrations");

  step("Secrets");
  const listed = await d.wrangler(["secret", "list", "--format", "json"], "capture");
  const existing = new Set(listed.status === 0 ? secretNames(listed.stdout) : []);
  if (listed.status !== 0) d.log(`${d.config.name ?? "the Worker"} is not deployed yet: every secret is new`);
  const upload = await chooseSecrets(d, o, existing);

  step("Deploy");
  const file = Object.keys(upload).length ? d.writeSecretsFile(upload) : null;
  let deployed: RunResult;
  try {
    deployed = await must(["deploy", ...(file ? ["--secrets-file", file.path] : [])], "tee", "Deploying");
  } finally {
    file?.remove();
  }
  d.log(file ? `uploaded ${Object.keys(upload).join(", ")} with the deployment` : "no secret changed");

  const base = upload.PUBLIC_BASE_URL ?? o.publicUrl ?? workersDevUrl(deployed.stdout) ?? "https://<your Worker's URL>";
  step("Configure the carriers");
  for (const l of carrierUrls(base)) d.log(l);
  step('First tenant (docs/deploy.md, "First tenant")');
  for (const l of firstTenantCommand(base)) d.log(l);
  if (upload.ADMIN_TOKEN) {
    d.log(
      o.dryRun
        ? "\nADMIN_TOKEN: a real run prints the generated token here, once"
        : `\nADMIN_TOKEN (shown once; keep it in your password manager): ${upload.ADMIN_TOKEN}`,
    );
    step(`Health (npm run doctor -- --url ${base})`);
    await d.doctor(base, upload.ADMIN_TOKEN);
  } else d.log(`\nCheck it: ADMIN_TOKEN=… npm run doctor -- --url ${base}`);
}

/** Every queue wrangler.toml produces to, consumes from or dead-letters into, once each. */
export function queueNames(c: Pick<WranglerConfig, "queues">): string[] {
  const all = [
    ...(c.queues.producers ?? []).map((p) => p.queue),
    ...(c.queues.consumers ?? []).flatMap((q) => [q.queue, ...(q.dead_letter_queue ? [q.dead_letter_queue] : [])]),
  ];
  return [...new Set(all)];
}

/** Generates what is missing, asks for the choices only a person can make, and never replaces ENCRYPTION_KEY. */
async function chooseSecrets(d: SetupDeps, o: SetupOptions, existing: Set<string>): Promise<Record<string, string>> {
  const upload: Record<string, string> = {};
  for (const name of requiredSecrets(d.root)) {
    const rotate = name === "ADMIN_TOKEN" && o.rotateAdminToken;
    if (existing.has(name) && !rotate) {
      d.log(
        `${name}: set, kept${name === "ENCRYPTION_KEY" ? " (never replaced: tenant secrets are stored under it)" : ""}`,
      );
      continue;
    }
    const generate = generators[name];
    upload[name] = generate ? generate() : await d.ask(`${name}: `);
    d.log(`${name}: ${generate ? "generated" : "entered"}${rotate ? " (rotated)" : ""}`);
  }
  if (existing.has("JWT_JWKS_URL") || existing.has("JWT_SECRET")) d.log("rep tokens: already configured, kept");
  else {
    const jwks = await askUntil(d, JWKS_QUESTION, (a) => (a === "" || isHttpsUrl(a) ? null : "must be an https URL"));
    if (jwks) upload.JWT_JWKS_URL = jwks;
    else upload.JWT_SECRET = generators.JWT_SECRET?.() ?? "";
    d.log(jwks ? "JWT_JWKS_URL: set" : "JWT_SECRET: generated");
  }
  if (o.publicUrl) upload.PUBLIC_BASE_URL = o.publicUrl;
  else if (!existing.has("PUBLIC_BASE_URL")) {
    const url = await askUntil(d, PUBLIC_URL_QUESTION, (a) => {
      const r = a === "" ? null : httpsOrigin(a);
      return r && "problem" in r ? r.problem : null;
    });
    if (url) upload.PUBLIC_BASE_URL = new URL(url).origin;
  }
  return upload;
}

async function askUntil(d: SetupDeps, question: string, problem: (answer: string) => string | null): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const answer = (await d.ask(question)).trim();
    const p = problem(answer);
    if (!p) return answer;
    d.log(`  ${p}`);
  }
  throw new SetupStop(`no acceptable answer to: ${question}`);
}
