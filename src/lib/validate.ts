import { zValidator } from "@hono/zod-validator";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z, ZodType } from "zod";
import { tooLarge } from "./body-limit";
import { ValidationError, type ValidationIssue } from "./errors";

/** Every JSON body read through `validate("json", …)`: requests are small JSON; bulk data has routes of its own. */
export const MAX_JSON_BYTES = 256 * 1024;

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
}

export function toIssues(issues: readonly ZodIssueLike[]): ValidationIssue[] {
  return issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "symbol" ? p.toString() : String(p))).join(".") || "(root)",
    message: i.message,
  }));
}

/** Shown in the message; every issue is in `issues`. */
const ISSUES_IN_MESSAGE = 5;

/** The one validation error: 400 `{error: "Invalid <what>: <path> <message>; …", issues: [{path, message}]}`. */
export function invalid(what: string, issues: ValidationIssue[]): ValidationError {
  const shown = issues.slice(0, ISSUES_IN_MESSAGE).map((i) => `${i.path} ${i.message}`);
  const more = issues.length > ISSUES_IN_MESSAGE ? `; and ${issues.length - ISSUES_IN_MESSAGE} more` : "";
  return new ValidationError(issues, `Invalid ${what}: ${shown.join("; ")}${more}`);
}

/** Parses `input` or throws the validation error naming every offending field. */
export function parseOr400<T extends ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw invalid(what, toIssues(r.error.issues));
}

/**
 * 413 past `limit` bytes, before the body is parsed: from Content-Length up front, or while a chunked body is read
 * (hono's bodyLimit then holds at most `limit` bytes).
 */
export const capBody = (limit: number, what: string): MiddlewareHandler =>
  bodyLimit({
    maxSize: limit,
    onError: () => {
      throw tooLarge(limit, what);
    },
  });

const capJson = capBody(MAX_JSON_BYTES, "The JSON body");

/** Marks a `validate(…)` middleware with what it checks, so the OpenAPI document (src/routes/openapi/) reads the very schema. */
export const VALIDATES = Symbol.for("voicedesk.validates");

export interface ValidatedInput {
  target: keyof ValidationTargets;
  schema: ZodType;
}

/** What a route's middleware validates, when it is a `validate(…)` middleware. */
export function validatedInput(handler: unknown): ValidatedInput | undefined {
  return typeof handler === "function" ? (handler as { [VALIDATES]?: ValidatedInput })[VALIDATES] : undefined;
}

/**
 * The validation hook of every route: a zod failure of `target` is `invalid(target, …)`. A JSON body is capped at
 * MAX_JSON_BYTES before it is read.
 */
export function validate<T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  const validator = zValidator(target, schema, (result) => {
    if (!result.success) throw invalid(target, toIssues(result.error.issues));
  });
  const tag: ValidatedInput = { target, schema };
  if (target !== "json") return Object.assign(validator, { [VALIDATES]: tag });
  const capped: MiddlewareHandler = (c, next) => capJson(c, () => validator(c, next));
  return Object.assign(capped as typeof validator, { [VALIDATES]: tag });
}
