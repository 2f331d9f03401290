#!/usr/bin/env node
// Prints the X-Twilio-Signature Twilio would send, using the official package:
//   node scripts/twilio-sign.mjs <authToken> <full URL incl. query> Name=value ...
// e.g. SIG=$(node scripts/twilio-sign.mjs "$AUTH_TOKEN" "$BASE/api/TwilioCalls/voice" AccountSid=AC… CallSid=CA… …)
import twilio from "twilio";

const [authToken, url, ...pairs] = process.argv.slice(2);
if (!authToken || !url) {
  console.error("usage: node scripts/twilio-sign.mjs <authToken> <url> [Name=value ...]");
  process.exit(2);
}
const params = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
console.log(twilio.getExpectedTwilioSignature(authToken, url, params));
