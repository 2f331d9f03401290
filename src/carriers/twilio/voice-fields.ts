import { z } from "zod";
import { queryPhone } from "../../lib/phone";
import { intId, phoneNumber } from "../../lib/schemas";
import { twilioSid } from "./sids";

/** Defaults for a translated call whose request leaves a language or voice out (documented in docs/twilio.md). */
export const TRANSLATION_DEFAULTS = {
  CallerLanguage: "en",
  CallerVoice: "marin",
  ReceiverLanguage: "en",
  ReceiverVoice: "marin",
  ForwardRawAudio: false,
} as const;

const flag = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const v = (s ?? "").trim().toLowerCase();
    if (["", "false", "0", "no", "off"].includes(v)) return false;
    if (["true", "1", "yes", "on"].includes(v)) return true;
    ctx.addIssue({ code: "custom", message: `expected true or false, got "${s}"` });
    return z.NEVER;
  });
/**
 * Languages and voices are passed through to the call's object as `<Parameter>` values (XML-escaped in the TwiML):
 * any printable text up to 64 characters — a tag (`en`, `nl-BE`, `fr_FR`) or a name (`English`). No control
 * characters or line separators (no line breaks in the interpreter's instructions a language is written into) and
 * nothing XML 1.0 cannot carry (lone surrogates, U+FFFE, U+FFFF).
 */
const printable = (what: string, min: number) =>
  z
    .string()
    .min(min)
    .max(64)
    .regex(/^[^\p{Cc}\p{Cs}\p{Zl}\p{Zp}\uFFFE\uFFFF]+$/u, `${what}: printable text up to 64 characters`);
// At least 2 characters: what the call's object takes as a language (src/live/call-plan.ts).
export const language = printable("a language such as en, nl-BE, fr_FR or English", 2);
export const voice = printable("a voice such as marin", 1);

export const voiceFieldsSchema = z.object({
  RepID: intId,
  CallSid: twilioSid("CA"),
  FromNumber: phoneNumber,
  To: phoneNumber,
  Record: flag,
  Translate: flag,
  CallerLanguage: language.default(TRANSLATION_DEFAULTS.CallerLanguage),
  CallerVoice: voice.default(TRANSLATION_DEFAULTS.CallerVoice),
  ReceiverLanguage: language.default(TRANSLATION_DEFAULTS.ReceiverLanguage),
  ReceiverVoice: voice.default(TRANSLATION_DEFAULTS.ReceiverVoice),
  ForwardRawAudio: flag,
});
export type VoiceFields = z.infer<typeof voiceFieldsSchema>;

const FIELDS = Object.keys(voiceFieldsSchema.shape) as (keyof VoiceFields)[];
const PHONE_FIELDS = new Set<string>(["FromNumber", "To"]);

/**
 * The voice webhook's fields: our REST-created calls carry them in the query string (Twilio's own form `To` is
 * then the rep's `client:` leg), a browser call sends them as form fields from `Device.connect({params})`.
 * The query wins; empty values count as absent.
 */
export function voiceFieldInput(query: URLSearchParams, form: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FIELDS) {
    const q = query.get(k);
    // A number's '+' written unencoded in a query string arrives as a space (queryPhone puts it back).
    const v = q ? (PHONE_FIELDS.has(k) ? queryPhone(q) : q) : form.get(k);
    if (v) out[k] = v;
  }
  return out;
}

export type TranslationOptions = Pick<
  VoiceFields,
  "CallerLanguage" | "CallerVoice" | "ReceiverLanguage" | "ReceiverVoice" | "ForwardRawAudio"
>;

/** The voice webhook URL that a REST-created call requests once the rep's leg answers. */
export function voiceWebhookUrl(
  origin: string,
  v: {
    repId: number;
    fromNumber: string;
    to: string;
    record: boolean;
    translate: boolean;
    translation?: Partial<TranslationOptions>;
  },
): string {
  const q = new URLSearchParams({
    RepID: String(v.repId),
    FromNumber: v.fromNumber,
    To: v.to,
    Record: String(v.record),
    Translate: String(v.translate),
  });
  if (v.translate) {
    for (const [k, val] of Object.entries(v.translation ?? {})) if (val !== undefined) q.set(k, String(val));
  }
  return `${origin}/api/TwilioCalls/voice?${q}`;
}

export const recordingCallbackUrl = (origin: string, repId: number, from: string, to: string) =>
  `${origin}/api/TwilioCalls/${repId}/recordingcallback?${new URLSearchParams({ customFrom: from, customTo: to })}`;

export const statusCallbackUrl = (origin: string) => `${origin}/api/TwilioCalls/statuscallback`;

/** Where Twilio reports the final status of a leg a live call dialed: the call's object is `call` (signed with the URL). */
export const legStatusUrl = (origin: string, key: string) =>
  `${origin}/api/TwilioCalls/legstatus?${new URLSearchParams({ call: key })}`;
