import { z } from "zod";

/**
 * The JSON Schema subset a function tool's `parameters` may use (what the model's function calling reads):
 * known keywords only, so a typo (`tpye`, `"type": "strnig"`, `required: "id"`) is a clear 400 at the admin
 * API instead of a session.update OpenAI rejects in the middle of a call.
 */
const JSON_TYPES = ["object", "string", "number", "integer", "boolean", "array", "null"] as const;
const jsonType = z.enum(JSON_TYPES);
const literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const count = z.number().int().min(0);

export interface SchemaNode {
  type?: (typeof JSON_TYPES)[number] | (typeof JSON_TYPES)[number][];
  description?: string;
  title?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  anyOf?: SchemaNode[];
  enum?: (string | number | boolean | null)[];
  const?: string | number | boolean | null;
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

const validPattern = (p: string) => {
  try {
    new RegExp(p, "u");
    return true;
  } catch {
    return false;
  }
};

const node: z.ZodType<SchemaNode> = z.lazy(() =>
  z
    .strictObject({
      type: z.union([jsonType, z.array(jsonType).min(1)]).optional(),
      description: z.string().max(1000).optional(),
      title: z.string().max(200).optional(),
      properties: z.record(z.string().min(1).max(64), node).optional(),
      required: z.array(z.string()).optional(),
      items: node.optional(),
      additionalProperties: z.union([z.boolean(), node]).optional(),
      anyOf: z.array(node).min(1).optional(),
      enum: z.array(literal).min(1).optional(),
      const: literal.optional(),
      default: z.unknown().optional(),
      format: z.string().max(40).optional(),
      pattern: z.string().max(500).refine(validPattern, "is not a valid regular expression").optional(),
      minimum: z.number().optional(),
      maximum: z.number().optional(),
      minLength: count.optional(),
      maxLength: count.optional(),
      minItems: count.optional(),
      maxItems: count.optional(),
    })
    .superRefine((s, ctx) => {
      for (const name of s.required ?? [])
        if (!s.properties || !(name in s.properties))
          ctx.addIssue({ code: "custom", path: ["required"], message: `names "${name}", which is not in properties` });
    }),
);

/** Serialized size limit of one tool's parameters (they travel in every session.update). */
export const MAX_SCHEMA_CHARS = 16_000;

/** Nesting deeper than this is refused before the schema is walked (the walk recurses). */
const MAX_DEPTH = 12;
function depthAtMost(v: unknown, max: number): boolean {
  let level: unknown[] = [v];
  for (let depth = 0; level.length; depth++) {
    if (depth > max) return false;
    level = level.flatMap((x) => (typeof x === "object" && x !== null ? Object.values(x) : []));
  }
  return true;
}

/** A function's parameters: an object schema. */
export const functionParameters = z
  .unknown()
  .refine((v) => depthAtMost(v, MAX_DEPTH * 2), { message: `nests deeper than ${MAX_DEPTH} levels` })
  .pipe(node)
  .refine((s) => s.type === "object", { message: 'must be an object schema ({"type": "object", …})' })
  .refine((s) => JSON.stringify(s).length <= MAX_SCHEMA_CHARS, {
    message: `is larger than ${MAX_SCHEMA_CHARS} characters`,
  });

/** What a tool takes when it declares no parameters. */
export const NO_PARAMETERS: SchemaNode = { type: "object", properties: {} };
