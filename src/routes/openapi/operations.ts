import { adminOperations } from "./ops-admin";
import { carrierOperations, metaOperations } from "./ops-carriers";
import { dataOperations } from "./ops-data";
import { repOperations } from "./ops-rep";
import type { Operations } from "./define";

/**
 * Every documented operation, keyed like `app.routes` (`METHOD /hono/:path`). A route mounted in src/app.ts
 * without an entry here is missing from /openapi.json, which test/openapi/coverage.test.ts reports.
 */
export const OPERATIONS: Operations = {
  ...metaOperations,
  ...adminOperations,
  ...repOperations,
  ...dataOperations,
  ...carrierOperations,
};
