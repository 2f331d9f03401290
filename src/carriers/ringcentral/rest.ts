import { z, type ZodType } from "zod";
import type { Env } from "../../env";
import { UpstreamError } from "../../lib/upstream";
import type { RingCentralAccount } from "./account";
import { paths, ringcentralBaseUrl } from "./api";
import { ringcentralError } from "./errors";
import { sendWithRetries, type RetryOptions } from "./retry";
import { ringcentralAuth, type AccessGrant } from "./token-object";

/** A device of an extension (`GET …/extension/~/device`), the fields we read. */
const device = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  type: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
});
export type RingCentralDevice = z.infer<typeof device>;
const deviceList = z.object({ records: z.array(device) });

/** A subscription as RingCentral answers create and renew with it. */
const subscriptionInfo = z.object({
  id: z.string().min(1),
  expirationTime: z.string().optional(),
  expiresIn: z.number().optional(),
  status: z.string().optional(),
});
export type SubscriptionInfo = z.infer<typeof subscriptionInfo>;

export interface SubscriptionRequest {
  eventFilters: string[];
  deliveryMode: { transportType: "WebHook"; address: string; verificationToken: string };
  expiresIn: number;
}

const anything = z.unknown();

/**
 * The REST API with one tenant's user. The access token comes from the tenant's token object; a 401 gets exactly
 * one new token and one more attempt. Other failures follow the retry policy (retry.ts) and then throw an
 * UpstreamError naming RingCentral's status and errorCode.
 */
export class RingCentralRest {
  constructor(
    private readonly env: Env,
    readonly account: RingCentralAccount,
    private readonly opts: RetryOptions = {},
  ) {}

  private async accessToken(stale?: string): Promise<AccessGrant> {
    const { clientId, clientSecret, jwt } = this.account;
    const r = await ringcentralAuth(this.env, this.account.customerId).accessToken(
      { clientId, clientSecret, jwt },
      stale,
    );
    if (r.ok) return r.grant;
    const { status, code, message, what } = r.failure;
    throw new UpstreamError("RingCentral", status, code, message, what);
  }

  async request<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    p: { body?: unknown; schema: ZodType<T>; what: string; retry5xx?: boolean },
  ): Promise<T> {
    const send = (token: string) =>
      sendWithRetries(
        () =>
          fetch(ringcentralBaseUrl(this.env) + path, {
            method,
            headers: {
              Authorization: `Bearer ${token}`,
              Accept: "application/json",
              ...(p.body === undefined ? {} : { "Content-Type": "application/json" }),
            },
            body: p.body === undefined ? undefined : JSON.stringify(p.body),
          }),
        p.what,
        { ...this.opts, retry5xx: p.retry5xx ?? this.opts.retry5xx },
      );
    const first = await this.accessToken();
    let res = await send(first.accessToken);
    if (res.status === 401) {
      await res.body?.cancel();
      res = await send((await this.accessToken(first.accessToken)).accessToken);
    }
    const text = await res.text();
    if (!res.ok) throw ringcentralError(res.status, text, p.what);
    try {
      return p.schema.parse(text ? JSON.parse(text) : {});
    } catch {
      throw ringcentralError(502, "", `${p.what} (an answer we could not read)`);
    }
  }

  /** The devices of the authorized extension (the JWT's user): answering is only ever on one of them. */
  async listDevices(): Promise<RingCentralDevice[]> {
    const r = await this.request("GET", paths.devices, { schema: deviceList, what: "device list" });
    return r.records;
  }

  answer(telephonySessionId: string, partyId: string, deviceId: string) {
    const path = `${paths.party(telephonySessionId, partyId)}/answer`;
    return this.request("POST", path, { body: { deviceId }, schema: anything, what: "answer" });
  }

  forward(telephonySessionId: string, partyId: string, phoneNumber: string) {
    const path = `${paths.party(telephonySessionId, partyId)}/forward`;
    return this.request("POST", path, { body: { phoneNumber }, schema: anything, what: "forward" });
  }

  /** Not retried on 5xx: a create that did land would leave a second subscription behind. */
  createSubscription(body: SubscriptionRequest) {
    return this.request("POST", paths.subscriptions, {
      body,
      schema: subscriptionInfo,
      what: "subscription",
      retry5xx: false,
    });
  }

  /** RingCentral stops delivering at once (204); one it no longer has is a 404 UpstreamError. */
  deleteSubscription(subscriptionId: string) {
    return this.request("DELETE", paths.subscription(subscriptionId), {
      schema: anything,
      what: "subscription delete",
    });
  }

  renewSubscription(subscriptionId: string) {
    return this.request("POST", paths.renew(subscriptionId), {
      body: {},
      schema: subscriptionInfo,
      what: "subscription renewal",
    });
  }
}
