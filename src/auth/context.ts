import type { Env } from "../env";
import type { RepRow } from "../db/reps";

export interface RepAuth {
  kind: "rep";
  customerId: number;
  rep: RepRow;
  scopes: ReadonlySet<string>;
}

/** An end user who proved control of a phone number; confined to that number's phone-channel tickets. */
export interface PhoneAuth {
  kind: "phone";
  customerId: number;
  phoneNumber: string;
}

export type Auth = RepAuth | PhoneAuth;

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    auth: Auth;
    rep: RepAuth;
    /** The caller is a rep or the admin: an upstream failure's own text may be shown (src/lib/app-errors.ts). */
    upstreamDetail: boolean;
  };
}
