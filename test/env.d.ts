import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../src/env";

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

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("./worker");
    }
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      MIGRATION_TEST_DB: D1Database;
      JWT_SECRET: string;
      ADMIN_TOKEN: string;
      TWILIO_API_BASE_URL: string;
      OPENAI_BASE_URL: string;
      FAKE_CARRIER_URL: string;
      FAKE_TOOLS_URL: string;
      TELNYX_API_BASE_URL: string;
      RINGCENTRAL_API_BASE_URL: string;
    }
  }
}
