import { env } from "cloudflare:workers";

/**
 * The empty database migration tests build schema versions in (vitest.config.mts binds it). Not in the Worker's
 * Env type: it is no binding of the Worker (src/health/platform.ts lists every one of those).
 */
export const migrationTestDb = (env as unknown as { MIGRATION_TEST_DB: D1Database }).MIGRATION_TEST_DB;
