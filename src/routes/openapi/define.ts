import type { Scope } from "../../auth/scopes";
import type { ZodType } from "zod";

/**
 * How an operation of the OpenAPI document is described (docs/openapi.md). Request schemas come from the mounted
 * route itself (the `validate(…)` middleware, src/lib/validate.ts); an entry adds what a route cannot say by itself:
 * its security, the schemas it reads inside the handler (webhook forms, multipart), its responses and examples.
 */

/** Security schemes, as named in the document's components. */
export type Security =
  | "adminBearer"
  | "repBearer"
  | "phoneBearer"
  | "twilioSignature"
  | "telnyxSignature"
  | "signedUrl"
  | "none";

/** A value of an example that names the test fixture it stands for; the document shows `example`. */
export interface FixtureRef {
  fixture: string;
  example: string | number;
}
export const ref = (fixture: string, example: string | number): FixtureRef => ({ fixture, example });
export const isRef = (v: unknown): v is FixtureRef =>
  typeof v === "object" && v !== null && "fixture" in v && "example" in v && Object.keys(v).length === 2;

export type ExampleValue = string | number | boolean | null | FixtureRef | ExampleValue[] | ExampleObject;
export interface ExampleObject {
  [key: string]: ExampleValue;
}

/**
 * One request the document promises an answer to: sent as written (fixture values filled in), it gets `status`
 * with a body that matches that status's schema (test/openapi/examples.test.ts).
 */
export interface Example {
  name: string;
  status: number;
  /** false: sent without credentials. */
  auth?: boolean;
  params?: Record<string, ExampleValue>;
  query?: Record<string, ExampleValue>;
  /** A JSON body, or form fields for a form-encoded operation. */
  body?: ExampleValue;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  /** Absent: no body (204, a redirect, a WebSocket upgrade). */
  schema?: ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface Operation {
  summary: string;
  tag: string;
  security: Security | Security[];
  /** The rep scope the route requires (src/auth/scopes.ts). */
  scope?: Scope;
  description?: string;
  /** Schemas the handler validates itself (not through a `validate(…)` middleware), the same objects it uses. */
  request?: { form?: ZodType; multipart?: ZodType; json?: ZodType; query?: ZodType; body?: ResponseSpec };
  responses: Record<number, ResponseSpec>;
  examples: Example[];
}

/** Keyed by the method and the path exactly as Hono mounts them: `GET /api/v1/voice-calls/:id`. */
export type Operations = Record<string, Operation>;
