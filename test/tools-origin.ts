/** The host of the tenants' HTTP tools in tests: the test Worker (test/worker.ts) sends it to test/fakes/tools.ts. */
export const TOOLS_ORIGIN = "https://tools.voicedesk.test";
