/**
 * `npm run gen:types`: regenerates what is derived from wrangler.toml — worker-configuration.d.ts (`wrangler types`,
 * the Env of src/env.ts) and src/health/migration-list.ts. Run it after changing wrangler.toml, worker-secrets.env,
 * the entry's Durable Object exports, or migrations/; `npm run check:deploy` fails until you do.
 */
import { fileURLToPath } from "node:url";
import { generateTypes, MIGRATION_LIST_FILE, TYPES_FILE, writeMigrationList } from "./lib/env-checks";

const root = fileURLToPath(new URL("..", import.meta.url));
generateTypes(root);
writeMigrationList(root);
console.log(`wrote ${TYPES_FILE} and ${MIGRATION_LIST_FILE}`);
