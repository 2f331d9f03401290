/**
 * The `<Say>` voice for a language. Twilio's default voice (`man`) speaks only a few languages and may refuse
 * other `language` values, so a message in the rep's language is pinned to an Amazon Polly standard voice of that
 * locale (docs/live-calls.md, "Receiver status"). A locale without one of its own takes its language's first voice;
 * an unknown language is sent with `language` alone (the account's default voice for it).
 */
const POLLY: Record<string, string> = {
  "en-US": "Polly.Joanna",
  "en-GB": "Polly.Amy",
  "en-AU": "Polly.Nicole",
  "en-IN": "Polly.Raveena",
  "fr-FR": "Polly.Celine",
  "fr-CA": "Polly.Chantal",
  "nl-NL": "Polly.Lotte",
  "de-DE": "Polly.Marlene",
  "es-ES": "Polly.Conchita",
  "es-MX": "Polly.Mia",
  "es-US": "Polly.Penelope",
  "it-IT": "Polly.Carla",
  "pt-BR": "Polly.Vitoria",
  "pt-PT": "Polly.Ines",
};

export function sayVoice(language: string): { language: string; voice?: string } {
  if (POLLY[language]) return { language, voice: POLLY[language] };
  const primary = language.split("-")[0]!.toLowerCase();
  const same = Object.keys(POLLY).find((locale) => locale.startsWith(`${primary}-`));
  return same ? { language: same, voice: POLLY[same] } : { language };
}
