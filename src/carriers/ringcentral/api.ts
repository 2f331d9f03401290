import type { Env } from "../../env";

/** RingCentral's REST origin: RINGCENTRAL_API_BASE_URL (tests, sandboxes), else production. */
export const ringcentralBaseUrl = (env: Env): string =>
  (env.RINGCENTRAL_API_BASE_URL || "https://platform.ringcentral.com").replace(/\/+$/, "");

const seg = encodeURIComponent;

/** The paths we call (docs/ringcentral.md lists each with its permission). `~` is the authorized account. */
export const paths = {
  token: "/restapi/oauth/token",
  /** The authorized extension's devices (`~`: the JWT's user, the only extension whose calls we may answer). */
  devices: "/restapi/v1.0/account/~/extension/~/device",
  party: (telephonySessionId: string, partyId: string) =>
    `/restapi/v1.0/account/~/telephony/sessions/${seg(telephonySessionId)}/parties/${seg(partyId)}`,
  subscriptions: "/restapi/v1.0/subscription",
  subscription: (subscriptionId: string) => `/restapi/v1.0/subscription/${seg(subscriptionId)}`,
  renew: (subscriptionId: string) => `/restapi/v1.0/subscription/${seg(subscriptionId)}/renew`,
};
