import { z } from "zod";
import type { Env } from "../../env";
import { bytesToBase64, utf8 } from "../../lib/encoding";
import type { RingCentralCredentials } from "./account";
import { paths, ringcentralBaseUrl } from "./api";
import { ringcentralError } from "./errors";
import { sendWithRetries, type RetryOptions } from "./retry";

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** The token endpoint's answer (docs/ringcentral.md, "Authentication"), the fields we use. */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().positive().optional(),
  owner_id: z.union([z.string(), z.number()]).transform(String).optional(),
});

export interface IssuedToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  refreshToken: string | null;
  refreshExpiresAt: number | null;
  /** The extension (user) the token acts as: the JWT's user. */
  ownerId: string | null;
}

export type Grant = { kind: "jwt" } | { kind: "refresh"; refreshToken: string };

/**
 * One token request: the JWT grant (the credential from the Developer Console as `assertion`) or the refresh-token
 * grant, with the app's client id and secret as HTTP Basic client authentication.
 */
export async function requestToken(
  env: Env,
  creds: RingCentralCredentials,
  grant: Grant,
  opts: RetryOptions = {},
): Promise<IssuedToken> {
  const form = new URLSearchParams(
    grant.kind === "jwt"
      ? { grant_type: JWT_BEARER_GRANT, assertion: creds.jwt }
      : { grant_type: "refresh_token", refresh_token: grant.refreshToken },
  );
  const basic = bytesToBase64(utf8(`${creds.clientId}:${creds.clientSecret}`));
  const what = grant.kind === "jwt" ? "JWT token request" : "token refresh";
  const sentAt = Date.now();
  const res = await sendWithRetries(
    () =>
      fetch(ringcentralBaseUrl(env) + paths.token, {
        method: "POST",
        headers: {
          Authorization: `Basic ${basic}`,
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body: form.toString(),
      }),
    what,
    opts,
  );
  const text = await res.text();
  if (!res.ok) throw ringcentralError(res.status, text, what);
  let parsed: z.infer<typeof tokenResponse>;
  try {
    parsed = tokenResponse.parse(JSON.parse(text));
  } catch {
    throw ringcentralError(502, "", `${what} (an answer without access_token/expires_in)`);
  }
  // Counted from when we asked, so network time only ever makes us refresh early.
  return {
    accessToken: parsed.access_token,
    expiresAt: sentAt + parsed.expires_in * 1000,
    refreshToken: parsed.refresh_token ?? null,
    refreshExpiresAt: parsed.refresh_token_expires_in ? sentAt + parsed.refresh_token_expires_in * 1000 : null,
    ownerId: parsed.owner_id ?? null,
  };
}
