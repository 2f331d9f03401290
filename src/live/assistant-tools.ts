import type { FunctionTool } from "../ai/realtime";
import type { CompletionReason, SurveyAnswer } from "../db/surveys";
import {
  DECLINE_SURVEY,
  END_CALL,
  endCallTool,
  RECORD_SURVEY_ANSWER,
  surveyTools,
  TRANSFER_TO_HUMAN,
  transferTool,
} from "./builtin-tools";
import type { CallPlan, PlannedTool } from "./call-plan";
import type { PersonTarget } from "./carrier";
import { SurveyRun, type SurveyQuestion } from "./survey-run";
import { toolFailed, type ToolCallRequest, type ToolOutcome, type ToolRecord, type ToolRunner } from "./tool-runner";

/** What the assistant's tools need from the live call (LiveCall provides it). */
export interface AssistantCallDeps {
  /** Hangs the caller up through the carrier and ends the call. */
  hangUp(reason: string): Promise<void>;
  /** Hands the caller to a person through the carrier (who says `announce` first). */
  transfer(to: PersonTarget, announce: string): Promise<void>;
  /** The call's campaign survey, read when it is due (the campaign may be set after the call began). */
  loadSurvey(): Promise<SurveyQuestion[] | null>;
  saveSurvey(answers: SurveyAnswer[], reason: CompletionReason): Promise<void>;
  callHttpTool(tool: PlannedTool, argsJson: string): Promise<ToolOutcome>;
  recordToolCall(r: ToolRecord): void;
  surveyAnswerTimeoutMs: number;
}

/** What they need from the assistant's bridge. */
export interface BridgeHooks {
  runner: ToolRunner;
  send(event: object): void;
  setTools(tools: FunctionTool[]): void;
  /** Whether the assistant spoke in that reply (then its goodbye or hand-over line was said). */
  spokeIn(responseId: string | null): boolean;
  whenPlayed(): Promise<void>;
  interrupt(): void;
}

export const TRANSFER_MESSAGE = "Please hold while I connect you with a colleague.";
const GOODBYE = "Say a short, friendly goodbye to the caller in one sentence.";

/**
 * The tools of an assistant call (docs/live-calls.md, "Tools"): end_call (after the campaign's survey, when
 * it has one), transfer_to_human, the survey's own tools while it runs, and the assistant's HTTP tools.
 */
export class AssistantTools {
  private survey: SurveyRun | null = null;
  private surveyChecked = false;
  /** The call is being ended or handed over: no further tool runs. */
  private leaving = false;

  constructor(
    private readonly assistant: NonNullable<CallPlan["assistant"]>,
    private readonly call: AssistantCallDeps,
    private readonly b: BridgeHooks,
  ) {}

  /** The session's tools: end_call, transfer_to_human when there is someone to hand over to, the HTTP tools. */
  definitions(): FunctionTool[] {
    const http = (this.assistant.tools ?? []).map(
      (t): FunctionTool => ({ type: "function", name: t.name, description: t.description, parameters: t.parameters }),
    );
    return [endCallTool, ...(this.assistant.transferTarget ? [transferTool] : []), ...http];
  }

  readonly handle = async (c: ToolCallRequest): Promise<ToolOutcome> => {
    if (this.leaving) return toolFailed("The call is already ending.", "call ending");
    switch (c.name) {
      case END_CALL:
        return this.endCall(c);
      case TRANSFER_TO_HUMAN:
        return this.transfer();
      case RECORD_SURVEY_ANSWER:
        return this.survey ? this.survey.answerTool(c.arguments) : toolFailed("No survey is running.", "no survey");
      case DECLINE_SURVEY:
        return this.survey ? this.survey.declineTool() : toolFailed("No survey is running.", "no survey");
    }
    const tool = this.assistant.tools?.find((t) => t.name === c.name);
    if (!tool) return toolFailed(`There is no tool named ${c.name}.`, "unknown tool");
    return this.call.callHttpTool(tool, c.arguments);
  };

  /** A keypad digit: an answer while the survey runs; ignored otherwise (false). */
  dtmf(digit: string): boolean {
    if (!this.survey?.running || this.leaving) return false;
    this.survey.dtmf(digit);
    return true;
  }

  /** The call is over (the caller hung up): nothing more is asked or hung up. */
  close(): void {
    this.leaving = true;
    this.survey?.cancel();
  }

  private async endCall(c: ToolCallRequest): Promise<ToolOutcome> {
    if (!this.surveyChecked) {
      this.surveyChecked = true;
      const questions = await this.call.loadSurvey();
      if (questions?.length) return this.startSurvey(questions);
    }
    this.leaving = true;
    this.survey?.cancel(); // ended mid-survey: what was answered stays (reason HangUp)
    const goodbye = this.b.spokeIn(c.responseId) ? null : GOODBYE;
    return { output: { ending: true }, success: true, respond: false, after: () => void this.hangUpAfter(goodbye) };
  }

  private startSurvey(questions: SurveyQuestion[]): ToolOutcome {
    const survey = new SurveyRun(questions, {
      ask: (instructions) => this.b.runner.respond({ instructions }),
      note: (text) =>
        this.b.send({
          type: "conversation.item.create",
          item: { type: "message", role: "system", content: [{ type: "input_text", text }] },
        }),
      interrupt: () => this.b.interrupt(),
      whenPlayed: () => this.b.whenPlayed(),
      save: (answers, reason) => this.call.saveSurvey(answers, reason),
      finish: (instructions) => {
        this.leaving = true;
        void this.hangUpAfter(instructions);
      },
      answerTimeoutMs: this.call.surveyAnswerTimeoutMs,
    });
    this.survey = survey;
    this.b.setTools([...this.definitions(), ...surveyTools]);
    return {
      output: { ending: false, survey: "The post-call survey starts now: follow the next instructions." },
      success: true,
      respond: false,
      after: () => survey.start(),
    };
  }

  /** The hand-over waits for what the assistant said to play, then the carrier speaks its line and dials. */
  private async transfer(): Promise<ToolOutcome> {
    const to = this.assistant.transferTarget;
    if (!to) return toolFailed("Nobody is available to take the call; offer to help further.", "no transfer target");
    this.leaving = true;
    await this.b.whenPlayed();
    try {
      await this.call.transfer(to, this.assistant.transferMessage ?? TRANSFER_MESSAGE);
      return { output: { transferred: true }, success: true, respond: false };
    } catch (e) {
      this.leaving = false;
      const error = e instanceof Error ? e.message : String(e);
      return toolFailed("The transfer failed; apologise and offer to help further.", error);
    }
  }

  /** `say` (when given) as the assistant's last reply; once it has played, the call is hung up. */
  private async hangUpAfter(say: string | null): Promise<void> {
    if (say) await this.b.runner.respond({ instructions: say, tool_choice: "none" });
    await this.b.whenPlayed();
    await this.call.hangUp("the assistant ended the call");
  }
}
