/**
 * The dependency rule (docs/architecture.md, "The dependency rule"), checked by `npm test` (npm run lint:deps).
 * Layers, lowest first: lib → db, audio → auth, limits → ai, recordings → live (the engine), outbound → carriers →
 * lifecycle (queued jobs, deletion, retention), health → routes → app.
 * A module may import its own layer and the layers below; `src/env.ts` (types only) is everyone's.
 */
const layer = (name, mayImport, comment) => ({
  name: `${name}-imports-only-below`,
  comment,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: { path: "^src/", pathNot: [`^src/(${[name, ...mayImport].join("|")})/`, "^src/env\\.ts$"] },
});

module.exports = {
  forbidden: [
    layer("lib", [], "lib/ is the foundation: it imports nothing of ours"),
    layer("db", ["lib"], "db/ is typed D1 queries: lib only"),
    layer("audio", ["lib"], "audio/ is pure DSP: lib only"),
    layer("limits", ["lib", "auth"], "limits/ counts requests per tenant"),
    layer("auth", ["lib", "db"], "auth/ verifies callers and keeps keys"),
    layer("ai", ["lib", "db", "auth", "audio"], "ai/ talks to OpenAI"),
    layer("recordings", ["lib", "db", "auth", "audio"], "recordings/ stores and finalizes audio"),
    layer("live", ["lib", "db", "auth", "audio", "ai", "recordings"], "the live engine names no carrier and no route"),
    layer("outbound", ["lib", "db", "auth"], "outbound calls and campaigns name no carrier and no route"),
    {
      name: "top-layers-are-imported-only-from-above",
      comment: "src/lifecycle/ (queued jobs, deletion, retention) and src/health/ run on top of every layer but routes",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(lifecycle/|health/|routes/|app\\.ts$|index\\.ts$)" },
      to: { path: "^src/(lifecycle|health)/" },
    },
    {
      name: "top-layers-import-no-routes",
      severity: "error",
      from: { path: "^src/(lifecycle|health)/" },
      to: { path: "^src/(routes/|app\\.ts)" },
    },
    {
      name: "carriers-stay-apart",
      comment: "a carrier never imports another carrier (only src/carriers/*.ts, the registries, see them all)",
      severity: "error",
      from: { path: "^src/carriers/([^/]+)/" },
      to: { path: "^src/carriers/[^/]+/", pathNot: "^src/carriers/$1/" },
    },
    {
      name: "carriers-import-no-routes",
      severity: "error",
      from: { path: "^src/carriers/" },
      to: { path: "^src/(routes/|app\\.ts|index\\.ts)" },
    },
    {
      name: "nothing-imports-routes",
      comment: "routes are mounted by src/app.ts alone; a route's helpers live in src/routes/ too",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(routes/|app\\.ts$)" },
      to: { path: "^src/routes/" },
    },
    {
      name: "no-cycles",
      severity: "error",
      from: { path: "^src/" },
      // A cycle through type-only imports (src/env.ts names the Durable Object classes) is no runtime cycle.
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|bench|scripts)/" },
  },
};
