/**
 * What the RingCentral fake (ringcentral.ts) remembers: registered apps (client id/secret, the JWT user), issued
 * tokens, devices, telephony sessions, subscriptions, call-control commands, injected failures, and every request.
 * Tests give each tenant its own client id, extension and sessions, so parallel test files never meet.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "./http";
import { Deliveries } from "./ringcentral-delivery";

export interface App {
  clientId: string;
  clientSecret: string;
  jwt: string;
  accountId: string;
  /** The JWT's user: owner of the tokens, of the subscription, and the only extension whose calls it may control. */
  extensionId: string;
  /** Webhooks through the outbox (tests) instead of a real POST (ringcentral-delivery.ts). */
  relay: boolean;
  /** Lifetime of the next access tokens, seconds (RingCentral's default is an hour). */
  tokenTtl: number;
  refreshTtl: number;
}

export interface Token {
  clientId: string;
  expiresAt: number;
}

export interface FakeParty {
  id: string;
  extensionId?: string;
  direction: "Inbound" | "Outbound";
  from: { phoneNumber: string; name?: string };
  to: { phoneNumber: string; name?: string; extensionId?: string };
  status: { code: string; reason?: string };
}

export interface FakeSession {
  clientId: string;
  telephonySessionId: string;
  sequence: number;
  parties: FakeParty[];
}

export interface FakeSubscription {
  id: string;
  clientId: string;
  eventFilters: string[];
  address: string;
  verificationToken: string | null;
  expiresIn: number;
  expiresAt: number;
  creationTime: string;
  status: "Active" | "Blacklisted";
}

export interface FakeCommand {
  clientId: string;
  action: "answer" | "forward";
  telephonySessionId: string;
  partyId: string;
  body: Record<string, unknown>;
}

export interface Failure {
  clientId: string;
  pathPattern: string;
  status: number;
  times: number;
  retryAfter?: string;
  errorCode?: string;
  message?: string;
}

export interface FakeDevice {
  id: string;
  status: "Online" | "Offline";
  type?: string;
  name?: string;
}

export class FakeState {
  readonly apps = new Map<string, App>();
  readonly tokens = new Map<string, Token>();
  readonly refreshTokens = new Map<string, Token>();
  readonly tokenRequests: { clientId: string; grantType: string }[] = [];
  readonly requests: { clientId: string; method: string; path: string; status: number }[] = [];
  readonly devices = new Map<string, FakeDevice[]>();
  readonly sessions = new Map<string, FakeSession>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly commands: FakeCommand[] = [];
  readonly failures: Failure[] = [];
  readonly deliveries = new Deliveries();

  /** A queued failure for this client and path, used up by one request. */
  takeFailure(clientId: string, path: string): Failure | null {
    const f = this.failures.find((x) => x.clientId === clientId && x.times > 0 && new RegExp(x.pathPattern).test(path));
    if (!f) return null;
    f.times--;
    return f;
  }

  /** The client's live subscription that notifications go to (the newest). */
  subscriptionOf(clientId: string): FakeSubscription | null {
    const live = [...this.subscriptions.values()].filter((s) => s.clientId === clientId && s.expiresAt > Date.now());
    return live.at(-1) ?? null;
  }
}

export const randomId = (prefix: string, bytes = 12) => `${prefix}${randomBytes(bytes).toString("hex")}`;

/** RingCentral's error body: `errorCode` and `message`, repeated in `errors[]` (docs/ringcentral.md, "Errors"). */
export function rcError(
  res: ServerResponse,
  status: number,
  errorCode: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(res, status, { errorCode, message, errors: [{ errorCode, message }] }, headers);
}

export const subscriptionJson = (s: FakeSubscription, base: string) => ({
  uri: `${base}/restapi/v1.0/subscription/${s.id}`,
  id: s.id,
  creationTime: s.creationTime,
  status: s.status,
  eventFilters: s.eventFilters,
  expirationTime: new Date(s.expiresAt).toISOString(),
  expiresIn: Math.max(0, Math.round((s.expiresAt - Date.now()) / 1000)),
  deliveryMode: { transportType: "WebHook", encryption: false, address: s.address },
});

export const partyJson = (p: FakeParty, app: App) => ({
  id: p.id,
  accountId: app.accountId,
  ...(p.extensionId ? { extensionId: p.extensionId } : {}),
  direction: p.direction,
  from: p.from,
  to: p.to,
  status: p.status,
  missedCall: false,
  standAlone: false,
  muted: false,
});
