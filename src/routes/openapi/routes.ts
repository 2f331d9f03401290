import { Hono } from "hono";
import type { AppEnv } from "../../auth/context";
import { publicOrigin } from "../../lib/public-url";
import { buildDocument, type MountedRoute } from "./document";
import { OPERATIONS } from "./operations";

/** Where console/build.mjs puts Swagger UI among the static assets (wrangler.toml [assets]). */
export const REFERENCE_ASSETS = "/reference";

/** Everything the page loads is served from this origin (nothing from a CDN), so /docs works offline. */
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>voicedesk API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${REFERENCE_ASSETS}/swagger-ui.css">
</head>
<body>
<noscript>The reference needs JavaScript; the document itself is <a href="/openapi.json">/openapi.json</a>.</noscript>
<main id="reference"></main>
<script src="${REFERENCE_ASSETS}/swagger-ui-bundle.js"></script>
<script src="${REFERENCE_ASSETS}/init.js"></script>
</body>
</html>
`;

const DOCS_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache",
};

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document of the mounted routes, built once per isolate from their zod
 * schemas) and `GET /docs` (the reference page). `routes` is the app's route table (docs/openapi.md). Typed as a
 * plain Hono: these two stay out of AppType's typed client (the document's type is too large to serialize).
 */
export function openApiRoutes(routes: () => readonly MountedRoute[]): Hono<AppEnv> {
  const built = new Map<string, object>();
  const documentFor = (origin: string) => {
    let doc = built.get(origin);
    if (!doc) built.set(origin, (doc = buildDocument(routes(), OPERATIONS, origin)));
    return doc;
  };
  return new Hono<AppEnv>()
    .get("/openapi.json", (c) => c.json(documentFor(publicOrigin(c.env, c.req.raw))))
    .get("/docs", (c) => c.html(DOCS_HTML, 200, DOCS_HEADERS));
}
