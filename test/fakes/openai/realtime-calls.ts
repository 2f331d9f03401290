import type { RestHandler } from "./rest";

/** Not implemented yet: serves nothing, so requests for it get the fake's loud 404. */
export const handleRealtimeCalls: RestHandler = async () => false;
