import type { D1Migration } from "cloudflare:test";

declare module "vitest" {
  export interface ProvidedContext {
    twilioBaseUrl: string;
    openaiBaseUrl: string;
    idpUrl: string;
    fakeCarrierUrl: string;
    toolsUrl: string;
    telnyxBaseUrl: string;
    ringcentralBaseUrl: string;
  }
}

// The Worker's Env (src/env.ts, worker-configuration.d.ts) plus what only the test Worker is given.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      FAKE_CARRIER_URL: string;
      FAKE_TOOLS_URL: string;
    }
  }
}
