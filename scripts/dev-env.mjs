// Shared by the local scripts: .dev.vars handling and the demo-tenant file written by `npm start`.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export const DEV_VARS = ".dev.vars";
/** Where `npm start` writes the demo tenant's details; the console e2e run points it elsewhere (VOICEDESK_DEMO_FILE). */
export const DEMO_FILE = process.env.VOICEDESK_DEMO_FILE || ".wrangler/demo.json";

export function parseVars(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return out;
}

/** Reads .dev.vars, creating it with fresh random secrets on first run. */
export function ensureDevVars() {
  if (!existsSync(DEV_VARS)) {
    const vars = {
      JWT_SECRET: randomBytes(32).toString("hex"),
      ADMIN_TOKEN: randomBytes(16).toString("hex"),
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    };
    writeFileSync(
      DEV_VARS,
      `${Object.entries(vars)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n")}\n`,
      { mode: 0o600 },
    );
    console.log(`created ${DEV_VARS} with random local secrets`);
  }
  return parseVars(readFileSync(DEV_VARS, "utf8"));
}

export function readDemo() {
  return existsSync(DEMO_FILE) ? JSON.parse(readFileSync(DEMO_FILE, "utf8")) : null;
}

export function writeDemo(demo) {
  mkdirSync(dirname(DEMO_FILE), { recursive: true });
  writeFileSync(DEMO_FILE, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
}

/** Every scope of src/auth/scopes.ts (scripts/check-tools.ts keeps the two lists equal). */
export const ALL_SCOPES = [
  "tickets:read",
  "tickets:write",
  "audio:upload",
  "audio:download",
  "voice:read",
  "calls:write",
  "campaigns:write",
  "voice:delete",
];

/**
 * A rep token for the local Worker, signed with `vars.JWT_SECRET`; it carries `iss` and `aud` when .dev.vars sets
 * JWT_ISSUER and JWT_AUDIENCE, which the Worker then checks (unset, it checks neither).
 */
export async function mintRepToken(vars, repId, scope = ALL_SCOPES.join(" "), ttl = "12h") {
  const { SignJWT } = await import("jose");
  const token = new SignJWT({ scope }).setProtectedHeader({ alg: "HS256" });
  if (vars.JWT_ISSUER) token.setIssuer(vars.JWT_ISSUER);
  if (vars.JWT_AUDIENCE) token.setAudience(vars.JWT_AUDIENCE);
  return token
    .setSubject(String(repId))
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(vars.JWT_SECRET));
}
