import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
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

/** The one validation hook: every zod failure becomes 400 `{error, issues: [{path, message}]}`. */
export function validate<T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = toIssues(result.error.issues);
      throw new ValidationError(issues, `Invalid ${target}: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
    }
  });
}
