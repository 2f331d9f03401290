/**
 * The official `twilio` package as an oracle, run in Node (it does not need to load inside workerd). Tests post
 * inputs here and compare our Worker's output with what Twilio's own helpers build:
 *   POST /__fake/reference/access-token  {accountSid, apiKeySid, apiKeySecret, identity, outgoingApplicationSid, region?, ttl?}
 *        → {token} from AccessToken + VoiceGrant (incoming allowed)
 *   POST /__fake/reference/twiml         {verbs: [{dial: attrs, numbers: [{attrs?, value}], clients?: [{value}]} |
 *                                        {connect: attrs, stream: attrs, parameters: [{name, value}]} | {say: text} | {record: attrs}]}
 *        → {xml} from VoiceResponse
 *   POST /__fake/reference/signature     {authToken, url, params} → {signature} from getExpectedTwilioSignature,
 *        plus {valid} from validateRequest when a `signature` is given
 */
import twilio from "twilio";

type Attrs = Record<string, string>;
type Verb =
  | { dial: Attrs; numbers: { attrs?: Attrs; value: string }[]; clients?: { value: string }[] }
  | { connect: Attrs; stream: Attrs; parameters: { name: string; value: string }[] }
  | { say: string }
  | { record: Attrs };

export function referenceAccessToken(b: {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  identity: string;
  outgoingApplicationSid: string;
  region?: string;
  ttl?: number;
}): { token: string } {
  const token = new twilio.jwt.AccessToken(b.accountSid, b.apiKeySid, b.apiKeySecret, {
    identity: b.identity,
    ttl: b.ttl ?? 3600,
    ...(b.region ? { region: b.region } : {}),
  });
  token.addGrant(
    new twilio.jwt.AccessToken.VoiceGrant({ incomingAllow: true, outgoingApplicationSid: b.outgoingApplicationSid }),
  );
  return { token: token.toJwt() };
}

export function referenceTwiml(b: { verbs: Verb[] }): { xml: string } {
  const r = new twilio.twiml.VoiceResponse();
  for (const v of b.verbs) {
    if ("dial" in v) {
      // The typings narrow attribute values to enums; the oracle takes whatever the test says.
      const d = r.dial(v.dial as never);
      for (const n of v.numbers) d.number((n.attrs ?? {}) as never, n.value);
      for (const c of v.clients ?? []) d.client(c.value);
    } else if ("say" in v) {
      r.say(v.say);
    } else if ("record" in v) {
      r.record(v.record as never);
    } else {
      const s = r.connect(v.connect as never).stream(v.stream as never);
      for (const p of v.parameters) s.parameter(p);
    }
  }
  return { xml: r.toString() };
}

export function referenceSignature(b: {
  authToken: string;
  url: string;
  params: Record<string, string | string[]>;
  signature?: string;
}) {
  return {
    signature: twilio.getExpectedTwilioSignature(b.authToken, b.url, b.params),
    ...(b.signature !== undefined ? { valid: twilio.validateRequest(b.authToken, b.signature, b.url, b.params) } : {}),
  };
}
