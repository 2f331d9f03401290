#!/usr/bin/env node
// `npm run build:console`: bundles the rep console (console/src, Preact) into console/dist, the Worker's static
// assets (wrangler.toml [assets]). Hashed file names under /assets, an index.html that names them, `_headers`.
// Fails when the bundle outgrows its budget: the console must stay small and fast.
// Also copies the API reference page's Swagger UI (served at /reference, loaded by the Worker's /docs page; not
// part of the console's budget, and never of the Worker's bundle: docs/openapi.md).
import { build } from "esbuild";
import { createRequire } from "node:module";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist");
/** gzip bytes of everything the browser loads for the first screen. */
const BUDGET_GZIP = 40 * 1024;

// Files are replaced in place, never the directory: a running `wrangler dev` keeps serving it across rebuilds.
mkdirSync(join(out, "assets"), { recursive: true });
const result = await build({
  entryPoints: { app: join(here, "src/main.tsx"), styles: join(here, "styles.css") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome111", "firefox111", "safari16"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(out, "assets"),
  entryNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});
const outputs = Object.keys(result.metafile.outputs);
const file = (ext) => {
  const f = outputs.find((o) => o.endsWith(ext));
  if (!f) throw new Error(`esbuild wrote no ${ext} file`);
  return `/assets/${basename(f)}`;
};
const html = readFileSync(join(here, "index.html"), "utf8")
  .replace("%SCRIPT%", file(".js"))
  .replace("%STYLES%", file(".css"));
writeFileSync(join(out, "index.html"), html);
copyFileSync(join(here, "_headers"), join(out, "_headers"));
// The reference page's scripts, from the swagger-ui-dist package, beside its init script (console/reference/).
const swaggerUi = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
mkdirSync(join(out, "reference"), { recursive: true });
for (const f of ["swagger-ui-bundle.js", "swagger-ui.css"]) copyFileSync(join(swaggerUi, f), join(out, "reference", f));
copyFileSync(join(here, "reference/init.js"), join(out, "reference/init.js"));
// The placeholder that keeps the folder in git is not an asset.
writeFileSync(join(out, ".assetsignore"), ".gitkeep\n");
const current = new Set(outputs.map((o) => basename(o)));
for (const f of readdirSync(join(out, "assets"))) if (!current.has(f)) rmSync(join(out, "assets", f));

const sizes = [join(out, "index.html"), ...outputs.map((o) => join(process.cwd(), o))].map((path) => {
  const bytes = readFileSync(path);
  return { name: basename(path), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const total = sizes.reduce((t, s) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip }), { raw: 0, gzip: 0 });
for (const s of sizes)
  console.log(`console: ${s.name.padEnd(24)} ${kb(s.raw).padStart(9)} raw ${kb(s.gzip).padStart(9)} gzip`);
console.log(`console: ${"total".padEnd(24)} ${kb(total.raw).padStart(9)} raw ${kb(total.gzip).padStart(9)} gzip`);
if (total.gzip > BUDGET_GZIP) {
  console.error(`console: over budget (${kb(total.gzip)} gzip > ${kb(BUDGET_GZIP)})`);
  process.exit(1);
}
