import { DurableObject } from "cloudflare:workers";
import { decryptSecret, encryptSecret } from "../../auth/crypto";
import type { Env } from "../../env";
import { sha256Hex } from "../../lib/hash";
import { UpstreamError } from "../../lib/upstream";
import type { RingCentralCredentials } from "./account";
import { failureFields, logRingCentral } from "./errors";
import { requestToken, type IssuedToken } from "./token-grant";

/** A token this close to its expiry is replaced before use (RingCentral's own SDK uses the same minute). */
export const REFRESH_MARGIN_MS = 60_000;

export interface AccessGrant {
  accessToken: string;
  expiresAt: number;
  ownerId: string | null;
}

/** An UpstreamError as plain data: errors lose their class on the way out of a Durable Object. */
export interface TokenFailure {
  status: number;
  code: string | number | null;
  message: string;
  what: string;
}

export type TokenResult = { ok: true; grant: AccessGrant } | { ok: false; failure: TokenFailure };

/** The token as kept in the object's storage: both tokens encrypted like every tenant secret. */
interface StoredToken {
  fingerprint: string;
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  expiresAt: number;
  refreshExpiresAt: number | null;
  ownerId: string | null;
}

type LiveToken = IssuedToken & { fingerprint: string };

/** Which credentials a token was issued for: a tenant who changes app or user must not get the old token. */
const fingerprintOf = (c: RingCentralCredentials) => sha256Hex(JSON.stringify([c.clientId, c.clientSecret, c.jwt]));

const grantOf = (t: LiveToken): AccessGrant => ({
  accessToken: t.accessToken,
  expiresAt: t.expiresAt,
  ownerId: t.ownerId,
});

/**
 * The access token of one tenant's RingCentral user, one object per tenant (`ringcentralAuth`), so every isolate
 * shares it. At most one token request is in flight: concurrent callers share it, success or failure. A caller
 * whose token was refused (401) names it as `stale` and gets a new one, unless another caller already replaced it.
 */
export class RingCentralAuth extends DurableObject<Env> {
  private token: LiveToken | null = null;
  private loaded = false;
  private flight: { fingerprint: string; promise: Promise<AccessGrant> } | null = null;

  /** The tenant's access token; a failed token request comes back as its status, code and message. */
  async accessToken(creds: RingCentralCredentials, stale?: string): Promise<TokenResult> {
    try {
      return { ok: true, grant: await this.shared(creds, stale) };
    } catch (e) {
      if (!(e instanceof UpstreamError)) throw e;
      return { ok: false, failure: { status: e.status, code: e.code, message: e.message, what: e.what } };
    }
  }

  private async shared(creds: RingCentralCredentials, stale?: string): Promise<AccessGrant> {
    const fingerprint = await fingerprintOf(creds);
    for (;;) {
      const flight = this.flight;
      if (flight) {
        if (flight.fingerprint === fingerprint) return flight.promise;
        await flight.promise.catch(() => undefined);
        continue;
      }
      const usable = this.loaded ? this.usable(fingerprint, stale) : null;
      if (usable) return usable;
      // No await between the check above and claiming the flight: nobody else can start one meanwhile.
      const promise = this.obtain(creds, fingerprint, stale).finally(() => {
        this.flight = null;
      });
      this.flight = { fingerprint, promise };
      return promise;
    }
  }

  /** Forgets the token (the customer is purged); a request in flight is let finish, its token not kept. */
  async purge(): Promise<void> {
    await this.flight?.promise.catch(() => undefined);
    this.token = null;
    this.loaded = true;
    await this.ctx.storage.deleteAll();
  }

  private usable(fingerprint: string, stale: string | undefined): AccessGrant | null {
    const t = this.token;
    if (!t || t.fingerprint !== fingerprint || t.accessToken === stale) return null;
    return t.expiresAt - REFRESH_MARGIN_MS > Date.now() ? grantOf(t) : null;
  }

  private async obtain(creds: RingCentralCredentials, fingerprint: string, stale?: string): Promise<AccessGrant> {
    if (!this.loaded) {
      this.token = await this.load();
      this.loaded = true;
      const usable = this.usable(fingerprint, stale);
      if (usable) return usable;
    }
    const current = this.token?.fingerprint === fingerprint ? this.token : null;
    let issued: IssuedToken | null = null;
    if (current?.refreshToken && (current.refreshExpiresAt ?? 0) - REFRESH_MARGIN_MS > Date.now()) {
      try {
        issued = await requestToken(this.env, creds, { kind: "refresh", refreshToken: current.refreshToken });
      } catch (e) {
        // A refused refresh token (revoked, session ended) is replaced by the JWT grant; anything else stands.
        if (!(e instanceof UpstreamError) || (e.status !== 400 && e.status !== 401)) throw e;
        logRingCentral("warn", "refresh token refused; using the JWT grant", failureFields(e));
      }
    }
    issued ??= await requestToken(this.env, creds, { kind: "jwt" });
    this.token = { ...issued, fingerprint };
    await this.save(this.token);
    return grantOf(this.token);
  }

  private async load(): Promise<LiveToken | null> {
    const s = this.ctx.storage.kv.get<StoredToken>("token");
    if (!s) return null;
    try {
      return {
        fingerprint: s.fingerprint,
        accessToken: await decryptSecret(this.env, s.accessTokenEnc),
        refreshToken: s.refreshTokenEnc ? await decryptSecret(this.env, s.refreshTokenEnc) : null,
        expiresAt: s.expiresAt,
        refreshExpiresAt: s.refreshExpiresAt,
        ownerId: s.ownerId,
      };
    } catch {
      return null; // unreadable (e.g. ENCRYPTION_KEY rotated): a new token is as good
    }
  }

  private async save(t: LiveToken): Promise<void> {
    const stored: StoredToken = {
      fingerprint: t.fingerprint,
      accessTokenEnc: await encryptSecret(this.env, t.accessToken),
      refreshTokenEnc: t.refreshToken ? await encryptSecret(this.env, t.refreshToken) : null,
      expiresAt: t.expiresAt,
      refreshExpiresAt: t.refreshExpiresAt,
      ownerId: t.ownerId,
    };
    this.ctx.storage.kv.put("token", stored);
  }
}

/** The tenant's token object. */
export const ringcentralAuth = (env: Env, customerId: number) =>
  env.RINGCENTRAL_AUTH.getByName(`rc-auth:${customerId}`);
