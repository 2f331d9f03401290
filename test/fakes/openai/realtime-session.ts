/**
 * The fake's view of a GA realtime session (what docs/live-calls.md sends): a `session.update` changes only the fields it
 * carries, and the session that results must be one the real API accepts — μ-law both ways (this fake bridges
 * nothing else), a known turn detection and noise reduction, well-formed function tools.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface SessionProblem {
  code: string;
  message: string;
  param: string;
}

/** `update` applied over `old`: top-level fields replace, `audio.input` / `audio.output` merge field by field. */
export function mergeSession(old: Obj | null, update: Obj): Obj {
  if (!old) return update;
  const oldAudio = isObj(old.audio) ? old.audio : {};
  const newAudio = isObj(update.audio) ? update.audio : null;
  const audio = newAudio
    ? {
        input: { ...(isObj(oldAudio.input) ? oldAudio.input : {}), ...(isObj(newAudio.input) ? newAudio.input : {}) },
        output: {
          ...(isObj(oldAudio.output) ? oldAudio.output : {}),
          ...(isObj(newAudio.output) ? newAudio.output : {}),
        },
      }
    : oldAudio;
  return { ...old, ...update, audio };
}

const problem = (param: string, message: string, code = "invalid_value"): SessionProblem => ({ code, message, param });

export function sessionProblem(s: Obj): SessionProblem | null {
  if (s.type !== "realtime")
    return problem("session.type", "Missing required parameter: 'session.type'.", "missing_required_parameter");
  const audio = isObj(s.audio) ? s.audio : {};
  const input = isObj(audio.input) ? audio.input : {};
  const output = isObj(audio.output) ? audio.output : {};
  const fmt = (x: Obj) => (isObj(x.format) ? x.format.type : undefined);
  if (fmt(input) !== "audio/pcmu" || fmt(output) !== "audio/pcmu")
    return problem("session.audio", "This fake only bridges audio/pcmu both ways.");
  return turnDetectionProblem(input.turn_detection) ?? noiseProblem(input.noise_reduction) ?? toolsProblem(s);
}

function turnDetectionProblem(td: unknown): SessionProblem | null {
  if (td === undefined || td === null) return null;
  const p = "session.audio.input.turn_detection";
  if (!isObj(td)) return problem(p, "Invalid type for 'turn_detection'.");
  if (td.type === "server_vad") {
    const t = td.threshold;
    if (t !== undefined && !(typeof t === "number" && t >= 0 && t <= 1))
      return problem(`${p}.threshold`, "threshold must be between 0 and 1.");
    for (const k of ["prefix_padding_ms", "silence_duration_ms"])
      if (td[k] !== undefined && !(Number.isInteger(td[k]) && (td[k] as number) >= 0))
        return problem(`${p}.${k}`, `${k} must be a non-negative integer.`);
    if (td.eagerness !== undefined) return problem(`${p}.eagerness`, "eagerness is for semantic_vad only.");
    return null;
  }
  if (td.type === "semantic_vad") {
    if (td.eagerness !== undefined && !["low", "medium", "high", "auto"].includes(String(td.eagerness)))
      return problem(`${p}.eagerness`, `Invalid value: '${String(td.eagerness)}'.`);
    if (td.threshold !== undefined) return problem(`${p}.threshold`, "threshold is for server_vad only.");
    return null;
  }
  return problem(
    `${p}.type`,
    `Invalid value: '${String(td.type)}'. Supported values are: 'server_vad' and 'semantic_vad'.`,
  );
}

function noiseProblem(nr: unknown): SessionProblem | null {
  if (nr === undefined || nr === null) return null;
  if (isObj(nr) && (nr.type === "near_field" || nr.type === "far_field")) return null;
  return problem("session.audio.input.noise_reduction.type", "Supported values are: 'near_field' and 'far_field'.");
}

function toolsProblem(s: Obj): SessionProblem | null {
  if (s.tools === undefined) return null;
  if (!Array.isArray(s.tools)) return problem("session.tools", "Invalid type for 'session.tools': expected an array.");
  const names = new Set<string>();
  for (const [i, t] of s.tools.entries()) {
    const p = `session.tools[${i}]`;
    if (!isObj(t) || t.type !== "function") return problem(`${p}.type`, "Only function tools are faked.");
    if (typeof t.name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name))
      return problem(`${p}.name`, "Invalid 'name': must match '^[a-zA-Z0-9_-]{1,64}$'.");
    if (names.has(t.name)) return problem(`${p}.name`, `Duplicate tool name: '${t.name}'.`);
    names.add(t.name);
    if (t.description !== undefined && typeof t.description !== "string")
      return problem(`${p}.description`, "Invalid type for 'description'.");
    if (t.parameters !== undefined && !(isObj(t.parameters) && t.parameters.type === "object"))
      return problem(`${p}.parameters`, "parameters must be a JSON schema of type 'object'.");
  }
  const choice = s.tool_choice;
  if (choice !== undefined && !["auto", "none", "required"].includes(String(choice)))
    return problem("session.tool_choice", `Invalid value: '${String(choice)}'.`);
  return null;
}
