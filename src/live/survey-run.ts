import type { CompletionReason, SurveyAnswer } from "../db/surveys";
import { DECLINE_SURVEY, RECORD_SURVEY_ANSWER } from "./builtin-tools";
import { toolFailed, type ToolOutcome } from "./tool-runner";

export interface SurveyQuestion {
  text: string;
  scaleMax: number;
}

/** What the survey needs from the call around it. */
export interface SurveyHooks {
  /** A reply of the assistant with these instructions; resolves when it is done. */
  ask(instructions: string): Promise<void>;
  /** A line the model reads as part of the conversation (what the caller pressed). */
  note(text: string): void;
  /** Stops the assistant's reply in progress (a keypad answer came while it was still asking). */
  interrupt(): void;
  /** Resolves once the carrier confirmed the assistant's audio sent so far has played. */
  whenPlayed(): Promise<void>;
  /**
   * Stores answers as the call's EPA results (`reason` applies while the survey is incomplete). Saves land in the
   * order they are made: each recomputes the survey from every answer stored before it. Never rejects.
   */
  save(answers: SurveyAnswer[], reason: CompletionReason): Promise<void>;
  /** The survey is over: the assistant says this, then the call is hung up. */
  finish(instructions: string): void;
  answerTimeoutMs: number;
}

const THANKS = "Thank the caller for answering the survey and say goodbye in one short sentence.";
const GOODBYE = "Say goodbye to the caller in one short, friendly sentence.";

/** A keypad digit as an answer on a 1..scaleMax scale (0 = 10 on a ten-point scale), or null. */
export function digitScore(digit: string, scaleMax: number): number | null {
  if (!/^[0-9]$/.test(digit)) return null;
  const n = digit === "0" ? 10 : Number(digit);
  return n <= scaleMax ? n : null;
}

/**
 * The post-call survey of a campaign, run by the assistant at the end of the call (docs/live-calls.md,
 * "Surveys in the call"): each question is asked in turn; a keypad digit or the record_survey_answer tool
 * answers it; every answer is stored at once (reason HangUp while incomplete, so a caller who hangs up
 * leaves a truthful Partial); decline_survey → Declined; no answer within `answerTimeoutMs` → Timeout.
 */
export class SurveyRun {
  private index = 0;
  private over = false;
  private asking = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly questions: SurveyQuestion[],
    private readonly h: SurveyHooks,
  ) {}

  get running(): boolean {
    return !this.over;
  }

  /** The call ended: nothing more is asked (what was answered is stored). */
  cancel(): void {
    this.over = true;
    this.stopTimer();
  }

  start(): void {
    this.save([], "HangUp");
    void this.askCurrent();
  }

  /** A keypad digit while the survey runs: the current question's answer when it is on the scale. */
  dtmf(digit: string): void {
    if (this.over) return;
    const i = this.index;
    const q = this.questions[i]!;
    const score = digitScore(digit, q.scaleMax);
    this.h.interrupt();
    if (score === null) {
      this.h.note(`The caller pressed ${digit}, which is not an answer from 1 to ${q.scaleMax}.`);
      void this.askCurrent("The keypad answer was not on the scale. ");
      return;
    }
    this.h.note(`The caller pressed ${digit} on the keypad: ${score} for question ${i + 1}.`);
    this.record(i, score);
    void this.next();
  }

  /** record_survey_answer `{questionIndex, score}`, from the caller's spoken answer. */
  answerTool(argsJson: string): ToolOutcome {
    if (this.over) return toolFailed("The survey is over.", "survey over");
    const a = parseAnswer(argsJson);
    const q = a && a.questionIndex === this.index ? this.questions[a.questionIndex] : undefined;
    if (!a || !q) return toolFailed(`Record the answer to question index ${this.index}.`, "wrong question");
    if (!Number.isInteger(a.score) || a.score < 1 || a.score > q.scaleMax)
      return toolFailed(`The answer must be a whole number from 1 to ${q.scaleMax}; ask again.`, "score off scale");
    this.record(a.questionIndex, a.score);
    return { output: { recorded: true }, success: true, respond: false, after: () => void this.next() };
  }

  /** decline_survey: what was answered stays; the rest is declined. */
  declineTool(): ToolOutcome {
    if (this.over) return toolFailed("The survey is over.", "survey over");
    return { output: { declined: true }, success: true, respond: false, after: () => this.end("Declined", GOODBYE) };
  }

  private record(i: number, score: number): void {
    const q = this.questions[i]!;
    this.index = i + 1;
    this.stopTimer();
    const answer = { questionIndex: i, question: q.text, answer: String(score), score, scaleMax: q.scaleMax };
    this.save([answer], "HangUp");
  }

  private async next(): Promise<void> {
    if (this.index < this.questions.length) return this.askCurrent();
    this.over = true;
    await this.saving;
    this.h.finish(THANKS);
  }

  private async askCurrent(preface = ""): Promise<void> {
    const gen = ++this.asking;
    this.stopTimer();
    await this.h.ask(preface + this.instructions(this.index));
    await this.h.whenPlayed();
    if (gen !== this.asking || this.over) return;
    this.timer = setTimeout(() => {
      if (gen === this.asking) this.end("Timeout", GOODBYE);
    }, this.h.answerTimeoutMs);
  }

  private end(reason: CompletionReason, goodbye: string): void {
    if (this.over) return;
    this.over = true;
    this.stopTimer();
    this.save([], reason);
    void this.saving.then(() => this.h.finish(goodbye));
  }

  /** `saving` settles once this save and every one before it has landed. */
  private save(answers: SurveyAnswer[], reason: CompletionReason): void {
    this.saving = this.h.save(answers, reason);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private instructions(i: number): string {
    const q = this.questions[i]!;
    const n = this.questions.length;
    const intro = i === 0 ? `Tell the caller there is a short survey of ${n} question${n > 1 ? "s" : ""}. ` : "";
    const keypad = q.scaleMax === 10 ? " (0 for 10)" : "";
    return (
      `${intro}Survey question ${i + 1} of ${n}: ask the caller exactly "${q.text}" and ask for a number from 1 to ` +
      `${q.scaleMax}, said aloud or pressed on the phone's keypad${keypad}. When they say a number, call ` +
      `${RECORD_SURVEY_ANSWER} with questionIndex ${i}; if they do not want to answer, call ${DECLINE_SURVEY}.`
    );
  }
}

function parseAnswer(json: string): { questionIndex: number; score: number } | null {
  try {
    const v = JSON.parse(json) as { questionIndex?: unknown; score?: unknown };
    return typeof v.questionIndex === "number" && typeof v.score === "number"
      ? { questionIndex: v.questionIndex, score: v.score }
      : null;
  } catch {
    return null;
  }
}
