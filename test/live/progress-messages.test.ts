import { describe, expect, it } from "vitest";
import { progressMessage } from "../../src/live/progress-messages";

describe("what the rep of a translated call is told", () => {
  it("speaks the rep's language, in a locale of it, English when it has no row", () => {
    expect(progressMessage("busy", "fr")).toEqual({ text: "La ligne est occupée. Au revoir.", language: "fr-FR" });
    expect(progressMessage("busy", "fr-ca")).toMatchObject({ language: "fr-CA" });
    expect(progressMessage("busy", "fr_CA")).toEqual({ text: "La ligne est occupée. Au revoir.", language: "fr-CA" });
    expect(progressMessage("no_answer", "nl-BE")).toEqual({
      text: "Er wordt niet opgenomen. Tot ziens.",
      language: "nl-BE",
    });
    expect(progressMessage("hung_up", "de-AT")).toMatchObject({ language: "de-DE" });
    expect(progressMessage("failed", "ja-JP")).toEqual({
      text: "The call could not be connected. Goodbye.",
      language: "en-US",
    });
  });
});
