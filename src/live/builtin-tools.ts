import type { FunctionTool } from "../ai/realtime";

/**
 * The tools every assistant call has without configuring them (docs/live-calls.md, "Tools"). Their names are
 * reserved: an HTTP tool may not take one.
 */
export const END_CALL = "end_call";
export const TRANSFER_TO_HUMAN = "transfer_to_human";
export const RECORD_SURVEY_ANSWER = "record_survey_answer";
export const DECLINE_SURVEY = "decline_survey";
export const BUILTIN_TOOL_NAMES: readonly string[] = [
  END_CALL,
  TRANSFER_TO_HUMAN,
  RECORD_SURVEY_ANSWER,
  DECLINE_SURVEY,
];

export const endCallTool: FunctionTool = {
  type: "function",
  name: END_CALL,
  description:
    "End the phone call. Call it once the caller's business is done and you have said a short goodbye " +
    "(or the caller asks to hang up). Do not say anything after calling it unless you are told to.",
  parameters: {
    type: "object",
    properties: { reason: { type: "string", description: "Why the call ends, in a few words." } },
  },
};

export const transferTool: FunctionTool = {
  type: "function",
  name: TRANSFER_TO_HUMAN,
  description:
    "Hand the caller over to a human colleague. Call it when the caller asks for a person or you cannot " +
    "help; tell the caller first, in one short sentence, that you are transferring them.",
  parameters: {
    type: "object",
    properties: { reason: { type: "string", description: "What the caller needs, for the colleague." } },
  },
};

/** Offered only while the post-call survey runs. */
export const surveyTools: FunctionTool[] = [
  {
    type: "function",
    name: RECORD_SURVEY_ANSWER,
    description:
      "Record the caller's spoken answer to the current survey question, as the number they gave on the " +
      "question's scale.",
    parameters: {
      type: "object",
      properties: {
        questionIndex: { type: "integer", minimum: 0, description: "The 0-based number of the question answered." },
        score: { type: "integer", minimum: 0, description: "The caller's answer on the question's scale." },
      },
      required: ["questionIndex", "score"],
    },
  },
  {
    type: "function",
    name: DECLINE_SURVEY,
    description: "The caller does not want to answer the survey (or any more of it).",
    parameters: { type: "object", properties: {} },
  },
];
