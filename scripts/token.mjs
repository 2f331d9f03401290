#!/usr/bin/env node
// `npm run token [-- --rep ID] [--scope "voice:read audio:download"] [--ttl 12h]`: prints a rep JWT for local use,
// with every scope (README "Scopes") unless --scope names some.
import { ensureDevVars, mintRepToken, readDemo } from "./dev-env.mjs";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repId = opt("--rep") ?? readDemo()?.repId;
if (!repId) {
  console.error("no rep: run `npm start` once (it seeds the demo rep) or pass --rep ID");
  process.exit(2);
}
console.log(await mintRepToken(ensureDevVars(), repId, opt("--scope"), opt("--ttl")));
