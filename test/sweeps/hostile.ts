import fc from "fast-check";
import type { Body } from "./route-table";

/** Strings that have broken parsers, SQL, paths and number handling somewhere before. */
const NASTY = [
  "",
  " ",
  "0",
  "-1",
  "1.5",
  "1e309",
  "-0",
  "NaN",
  "Infinity",
  "0x1F",
  "99999999999999999999999",
  "9007199254740993",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "' OR 1=1 --",
  '"; DROP TABLE calls; --',
  "../../../etc/passwd",
  "..%2F..%2F",
  "%00",
  "\u0000",
  "\uFEFF",
  "\uD800",
  "\u202E",
  "😀👩‍👩‍👧",
  "<script>alert(1)</script>",
  "${7*7}",
  "+",
  "++32470000000",
  "+999999999999999999999",
  "00",
  "2025-13-45",
  "9999-12-31T23:59:59Z",
  "-271821-04-20T00:00:00Z",
  "CA00000000000000000000000000000000",
  "vc_000000000000000000000000",
  "client:",
  "bytes=0-",
];

/** A hostile string: a known troublemaker, a random one, or a long one. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40, unit: "binary" }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 9000 }).map((n) => "x".repeat(n)) },
);

/** A hostile JSON value: wrong types, extreme numbers, prototype keys, deep or long structures. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      -1,
      0,
      1,
      0.5,
      1e308,
      -1e308,
      2 ** 53 + 1,
      true,
      false,
      null,
      [],
      {},
      { __proto__: { admin: true } },
      JSON.parse('{"__proto__":{"admin":true}}'),
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Field names the API reads (SPEC.md and the carriers' webhooks), so hostile values reach the validators. */
const FIELDS = [
  "name",
  "twilio",
  "accountSid",
  "authToken",
  "apiKeySid",
  "apiKeySecret",
  "twimlAppSid",
  "region",
  "edge",
  "openai",
  "apiKey",
  "phoneNumbers",
  "number",
  "repId",
  "assistantId",
  "instructions",
  "voice",
  "welcomeMessage",
  "language",
  "channel",
  "subject",
  "phoneNumber",
  "senderType",
  "text",
  "customerId",
  "code",
  "fromNumber",
  "toNumber",
  "record",
  "translate",
  "to",
  "from",
  "campaignId",
  "metadata",
  "responses",
  "url",
  "description",
  "method",
  "timeoutMs",
  "callingHours",
  "survey",
  "turnDetection",
  "noiseReduction",
  "transferNumber",
  "active",
  "retentionDays",
  "ticketID",
  "timestampMs",
  "base64AudioData",
  "__proto__",
];

const FORM_FIELDS = [
  "AccountSid",
  "CallSid",
  "ParentCallSid",
  "From",
  "To",
  "FromNumber",
  "RepID",
  "Record",
  "Translate",
  "CallStatus",
  "DialCallStatus",
  "AnsweredBy",
  "RecordingSid",
  "RecordingUrl",
  "RecordingStatus",
  "RecordingStartTime",
  "RecordingDuration",
  "Direction",
  "CallerLanguage",
];

const QUERY_NAMES = [
  "page",
  "pageSize",
  "limit",
  "offset",
  "start_date",
  "end_date",
  "bucket",
  "channel",
  "status",
  "state",
  "direction",
  "dateFrom",
  "dateTo",
  "campaignId",
  "phoneNumber",
  "callSid",
  "customFrom",
  "customTo",
  "twimlAppSidOverride",
  "skipInvalid",
  "exp",
  "sig",
  "token",
  "leg",
];

/** An object with the API's own field names (and some others) holding hostile values. */
const hostileObject = fc.dictionary(
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: hostileString }),
  hostileValue,
  { maxKeys: 6 },
);

/** Audio chunks that are almost right: the fields are there, one or more of them hostile. */
const hostileChunks = (ticketIds: string[]) =>
  fc.array(
    fc.record({
      ticketID: fc.oneof(fc.constantFrom(...ticketIds.map(Number)), hostileValue),
      senderType: fc.oneof(fc.constantFrom("EndUser", "AI", "CustomerRep"), hostileValue),
      timestampMs: fc.oneof(fc.integer({ min: -1, max: 2 ** 31 }), fc.constant(14_399_000), hostileValue),
      base64AudioData: fc.oneof(fc.base64String({ maxLength: 64 }), hostileValue),
    }),
    { maxLength: 4 },
  );

export interface BodyCase {
  contentType?: string;
  text?: string;
  form?: [string, string][];
  multipart?: { name: string; value: string; filename?: string; type?: string }[];
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "text/csv",
  "application/xml",
  "*/*",
  "",
];

/** Broken JSON texts: truncated, NUL bytes, a byte-order mark, deep nesting. */
const brokenJson = fc.oneof(
  fc.constantFrom("{", '{"a":', "[1,]", "{'a':1}", "\u0000{}", "\uFEFF{}", "nul", '{"a":1}{"b":2}', '"\\uD800"'),
  fc.integer({ min: 500, max: 20_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.integer({ min: 500, max: 5_000 }).map((n) => '{"a":'.repeat(n) + "1" + "}".repeat(n)),
  fc.string({ maxLength: 60, unit: "binary" }),
);

/** A hostile body for a route that reads `kind`, with a Content-Type that is usually right and sometimes not. */
export function hostileBody(kind: Body, ticketIds: string[]): fc.Arbitrary<BodyCase> {
  const jsonText = fc.oneof(
    { weight: 3, arbitrary: hostileObject.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: hostileChunks(ticketIds).map((a) => JSON.stringify(a)) },
    { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 2, arbitrary: brokenJson },
  );
  const wrongType = fc.constantFrom(...CONTENT_TYPES);
  const form = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FORM_FIELDS), hostileString), hostileString), {
    maxLength: 8,
  });
  const multipart = fc.array(
    fc.record(
      {
        name: fc.oneof(fc.constantFrom("file", "sdp", "session", "model", "language"), hostileString),
        value: hostileString,
        filename: fc.oneof(fc.constantFrom("a.wav", "", "../../x", "a".repeat(300)), hostileString),
        type: fc.constantFrom("audio/wav", "application/sdp", "application/json", "", "text/plain"),
      },
      { requiredKeys: ["name", "value"] },
    ),
    { maxLength: 10 },
  );
  switch (kind) {
    case "json":
      return fc.record({
        contentType: fc.oneof({ weight: 5, arbitrary: fc.constant("application/json") }, wrongType),
        text: jsonText,
      });
    case "contacts":
      return fc.oneof(
        fc.record({ contentType: fc.constant("application/json"), text: jsonText }),
        fc.record({
          contentType: fc.oneof(fc.constant("text/csv"), wrongType),
          text: fc.array(hostileString, { maxLength: 8 }).map((l) => ["number", ...l].join("\n")),
        }),
      );
    case "form":
      return fc.oneof(
        { weight: 4, arbitrary: fc.record({ form }) },
        { weight: 1, arbitrary: fc.record({ contentType: wrongType, text: fc.oneof(jsonText, hostileString) }) },
      );
    case "multipart":
      return fc.oneof(
        { weight: 4, arbitrary: fc.record({ multipart }) },
        { weight: 1, arbitrary: fc.record({ contentType: wrongType, text: fc.oneof(jsonText, hostileString) }) },
      );
    case "none":
      return fc.oneof(
        { weight: 3, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.record({ contentType: wrongType, text: jsonText }) },
      );
  }
}

/** Query parameters the API reads, with hostile values, sometimes repeated. */
export const hostileQuery = fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), hostileString), { maxLength: 5 });

/** Headers an attacker controls, beyond the body's type. */
export const hostileHeaders = fc.array(
  fc.oneof(
    fc.tuple(fc.constant("Range"), fc.constantFrom("bytes=999999999-", "bytes=-0", "bytes=5-1", "bytes=0-0,1-1", "x")),
    fc.tuple(fc.constant("If-None-Match"), fc.oneof(fc.constant("*"), hostileString)),
    fc.tuple(fc.constant("X-Twilio-Signature"), fc.oneof(fc.constant(""), fc.base64String({ maxLength: 44 }))),
    fc.tuple(fc.constant("CF-Connecting-IP"), fc.constantFrom("", "::", "999.1.1.1", "not-an-ip", "2001:db8::1")),
    fc.tuple(fc.constant("Origin"), fc.constantFrom("https://evil.example", "null")),
    fc.tuple(fc.constant("Upgrade"), fc.constantFrom("websocket", "h2c")),
    fc.tuple(fc.constant("Accept"), fc.constantFrom("text/html", "*/*", "application/xml")),
  ),
  { maxLength: 3 },
);

/** How the request authenticates: as it should (so the input reaches validation), not at all, or with junk. */
export const authMode = fc.oneof(
  { weight: 6, arbitrary: fc.constant("valid" as const) },
  { weight: 1, arbitrary: fc.constant("none" as const) },
  { weight: 1, arbitrary: fc.constant("garbage" as const) },
);

/** A path parameter: usually hostile, sometimes one of the tenant's own ids (so the rest reaches the handler). */
export const paramValue = (own: string[]) =>
  own.length
    ? fc.oneof({ weight: 2, arbitrary: hostileString }, { weight: 1, arbitrary: fc.constantFrom(...own) })
    : hostileString;

export const GARBAGE_AUTH = [
  "Bearer ",
  "Bearer x.y.z",
  "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
  "Basic YTpi",
  "bearer",
  `Bearer ${"a".repeat(9000)}`,
];
