import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z, ZodType } from "zod";
import { ValidationError, type ValidationIssue } from "./errors";

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

/** The validation hook of every route: a zod failure of `target` is `invalid(target, …)`. */
export function validate<T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw invalid(target, toIssues(result.error.issues));
  });
}
