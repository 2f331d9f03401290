/**
 * What the rep of a translated call hears when the receiver cannot be reached or hangs up, in the rep's
 * language: spoken by the carrier's own text-to-speech (`CallControl.sayAndHangUp`), so nothing outside the
 * carrier is needed at run time. Languages without a row get English (docs/live-calls.md, "Receiver status").
 */
export type ProgressMessage = "no_answer" | "busy" | "failed" | "hung_up";

interface LanguageRow {
  /** The locale the text is spoken in when the rep's language tag names no region we know. */
  locale: string;
  locales: readonly string[];
  text: Record<ProgressMessage, string>;
}

const MESSAGES: Record<string, LanguageRow> = {
  en: {
    locale: "en-US",
    locales: ["en-US", "en-GB", "en-AU", "en-CA", "en-IN"],
    text: {
      no_answer: "There is no answer. Goodbye.",
      busy: "The line is busy. Goodbye.",
      failed: "The call could not be connected. Goodbye.",
      hung_up: "The other party has hung up. Goodbye.",
    },
  },
  fr: {
    locale: "fr-FR",
    locales: ["fr-FR", "fr-CA"],
    text: {
      no_answer: "Votre correspondant ne répond pas. Au revoir.",
      busy: "La ligne est occupée. Au revoir.",
      failed: "L'appel n'a pas pu aboutir. Au revoir.",
      hung_up: "Votre correspondant a raccroché. Au revoir.",
    },
  },
  nl: {
    locale: "nl-NL",
    locales: ["nl-NL", "nl-BE"],
    text: {
      no_answer: "Er wordt niet opgenomen. Tot ziens.",
      busy: "De lijn is bezet. Tot ziens.",
      failed: "De verbinding kon niet tot stand worden gebracht. Tot ziens.",
      hung_up: "De andere partij heeft opgehangen. Tot ziens.",
    },
  },
  de: {
    locale: "de-DE",
    locales: ["de-DE"],
    text: {
      no_answer: "Der Teilnehmer antwortet nicht. Auf Wiederhören.",
      busy: "Die Leitung ist besetzt. Auf Wiederhören.",
      failed: "Die Verbindung konnte nicht hergestellt werden. Auf Wiederhören.",
      hung_up: "Der Teilnehmer hat aufgelegt. Auf Wiederhören.",
    },
  },
  es: {
    locale: "es-ES",
    locales: ["es-ES", "es-MX", "es-US"],
    text: {
      no_answer: "No contestan. Adiós.",
      busy: "La línea está ocupada. Adiós.",
      failed: "No se ha podido establecer la llamada. Adiós.",
      hung_up: "La otra persona ha colgado. Adiós.",
    },
  },
  it: {
    locale: "it-IT",
    locales: ["it-IT"],
    text: {
      no_answer: "Nessuna risposta. Arrivederci.",
      busy: "La linea è occupata. Arrivederci.",
      failed: "Non è stato possibile stabilire la chiamata. Arrivederci.",
      hung_up: "L'altra persona ha riagganciato. Arrivederci.",
    },
  },
  pt: {
    locale: "pt-BR",
    locales: ["pt-BR", "pt-PT"],
    text: {
      no_answer: "Ninguém atende. Adeus.",
      busy: "A linha está ocupada. Adeus.",
      failed: "Não foi possível completar a chamada. Adeus.",
      hung_up: "A outra pessoa desligou. Adeus.",
    },
  },
};

/**
 * The message in the rep's language (a tag such as `fr`, `fr-CA`, `nl-BE`, or with an underscore, `fr_FR`) and the
 * locale to speak it in; a language that is no tag (`English`) gets English.
 */
export function progressMessage(kind: ProgressMessage, language: string): { text: string; language: string } {
  const [primary = "", region = ""] = language.split(/[-_]/);
  const row = MESSAGES[primary.toLowerCase()] ?? MESSAGES.en!;
  const asked = `${primary.toLowerCase()}-${region.toUpperCase()}`;
  return { text: row.text[kind], language: row.locales.includes(asked) ? asked : row.locale };
}
