import { useEffect } from "preact/hooks";
import { call, client } from "../api";
import { dateTime, untilText } from "../format";
import { useLoad, useNow } from "../hooks";
import { decodeJwt } from "../jwt";
import { Badge, Load } from "../ui";

/** The Voice grant inside a Twilio access token (src/carriers/twilio/access-token.ts). */
interface VoiceClaims {
  exp?: number;
  grants?: {
    identity?: string;
    voice?: { incoming?: { allow?: boolean }; outgoing?: { application_sid?: string } };
  };
}

/** Fetch a fresh token this long before the old one expires, as Twilio's Device does on `tokenWillExpire`. */
const REFRESH_BEFORE_MS = 60_000;

/**
 * The rep's browser phone: the Twilio voice token (GET /api/TwilioCalls/voice-token), what it grants, and when it
 * is renewed. The Twilio Voice SDK itself is not bundled (docs/console.md, "Softphone"): it would be most of the
 * console's weight and cannot reach Twilio from an offline machine, so the device state shown is the token's.
 */
export function Softphone() {
  const token = useLoad(
    (signal) => call(client.api.TwilioCalls["voice-token"].$get({ query: {} }, { init: { signal } })),
    [],
  );
  const now = useNow(1000);
  const expiresAt = token.data ? Date.parse(token.data.expiresAt) : null;

  useEffect(() => {
    if (expiresAt === null) return;
    const t = setTimeout(token.reload, Math.max(0, expiresAt - REFRESH_BEFORE_MS - Date.now()));
    return () => clearTimeout(t);
  }, [expiresAt, token.reload]);

  const device =
    token.status === "loading"
      ? { label: "fetching token", tone: "warn" as const }
      : token.status === "error"
        ? { label: "no token", tone: "bad" as const }
        : expiresAt !== null && expiresAt <= now
          ? { label: "token expired", tone: "bad" as const }
          : { label: "token ready", tone: "good" as const };

  return (
    <section aria-labelledby="phone-title">
      <h1 id="phone-title">Softphone</h1>
      <div class="card">
        <p>
          Device: <Badge tone={device.tone}>{device.label}</Badge>{" "}
          <span class="muted">
            The Twilio Voice SDK is not part of this console; a page that loads it registers with this token.
          </span>
        </p>
        <Load state={token} what="the voice token">
          {(t) => {
            const claims = decodeJwt<VoiceClaims>(t.token);
            const voice = claims?.grants?.voice;
            return (
              <dl class="facts" data-testid="voice-token">
                <div>
                  <dt>Client identity</dt>
                  <dd>
                    <code>client:{t.identity}</code>
                  </dd>
                </div>
                <div>
                  <dt>Region / edge</dt>
                  <dd>
                    {t.region} / {t.edge}
                  </dd>
                </div>
                <div>
                  <dt>Expires</dt>
                  <dd>
                    {dateTime(t.expiresAt)} ({untilText(Date.parse(t.expiresAt), now)}; renewed a minute before)
                  </dd>
                </div>
                <div>
                  <dt>Incoming calls</dt>
                  <dd>{voice?.incoming?.allow ? "allowed" : "not allowed"}</dd>
                </div>
                <div>
                  <dt>Outgoing calls through</dt>
                  <dd>
                    <code>{voice?.outgoing?.application_sid ?? "—"}</code>
                  </dd>
                </div>
              </dl>
            );
          }}
        </Load>
        <button type="button" class="secondary" onClick={token.reload} disabled={token.status === "loading"}>
          Get a new token
        </button>
      </div>
    </section>
  );
}
