import type { ServerEvent } from "../ai/realtime";

/** One function call of the model, from `response.function_call_arguments.done` or a `function_call` output item. */
export interface ToolCallRequest {
  callId: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
  responseId: string | null;
}

export interface ToolOutcome {
  /** What the model reads as the function's output (sent as JSON text). */
  output: unknown;
  success: boolean;
  /** Why it failed, for the tool_calls record (a few words, never a secret). */
  error?: string;
  /** Whether the model answers the output at once (default true); false when the tool itself leads on. */
  respond?: boolean;
  /** Runs once the output is in the conversation (the survey asks its first question, the call ends, …). */
  after?: () => void;
}

export type ToolHandler = (call: ToolCallRequest) => Promise<ToolOutcome>;

export interface ToolRecord {
  name: string;
  arguments: string;
  success: boolean;
  latencyMs: number;
  error: string | null;
}

type ResponseDone = Extract<ServerEvent, { type: "response.done" }>;
type ArgumentsDone = Extract<ServerEvent, { type: "response.function_call_arguments.done" }>;

/** A reply we asked for that never finishes (a lost event) does not hold a flow up longer than this. */
const REPLY_WAIT_MS = 20_000;

/**
 * The function-calling side of a realtime session (docs/live-calls.md, "Tools"). Calls are collected from
 * `response.function_call_arguments.done` and the `function_call` items of `response.done`, and run when their
 * response is done (so nothing we send collides with a reply in progress); each is recorded, its output goes
 * back as a `function_call_output` item, then one `response.create` lets the model answer. Replies we ask for
 * are sent only while no reply is in progress, else queued until it is done.
 */
export class ToolRunner {
  private announced = new Map<string, ToolCallRequest[]>();
  private handled = new Set<string>();
  /** A reply is in progress, or one we asked for has not finished yet. */
  private busy = false;
  private queued: { response: object | undefined; done: () => void }[] = [];
  private waitingForDone: (() => void)[] = [];
  readonly counts = { toolCalls: 0, toolFailures: 0 };

  constructor(private readonly d: { send(event: object): void; handle: ToolHandler; record(r: ToolRecord): void }) {}

  responseCreated(): void {
    this.busy = true;
  }

  argumentsDone(ev: ArgumentsDone): void {
    const key = ev.response_id ?? "";
    const call = { callId: ev.call_id, name: ev.name, arguments: ev.arguments, responseId: ev.response_id ?? null };
    this.announced.set(key, [...(this.announced.get(key) ?? []), call]);
  }

  responseDone(ev: ResponseDone): void {
    this.busy = false;
    const id = ev.response.id ?? "";
    const calls = [...(this.announced.get(id) ?? []), ...(this.announced.get("") ?? [])];
    this.announced.delete(id);
    this.announced.delete("");
    for (const item of ev.response.output ?? []) {
      if (item.type !== "function_call" || !item.call_id || !item.name || item.status === "incomplete") continue;
      if (!calls.some((c) => c.callId === item.call_id))
        calls.push({
          callId: item.call_id,
          name: item.name,
          arguments: item.arguments ?? "{}",
          responseId: id || null,
        });
    }
    for (const w of this.waitingForDone.splice(0)) w();
    const fresh = calls.filter((c) => !this.handled.has(c.callId));
    for (const c of fresh) this.handled.add(c.callId);
    if (fresh.length) void this.run(fresh);
    this.sendQueued();
  }

  /**
   * Asks the model for a reply (with per-reply overrides such as `instructions`), now or once the reply in
   * progress is done. Resolves when the reply is done (or after REPLY_WAIT_MS).
   */
  respond(response?: object): Promise<void> {
    return new Promise((resolve) => {
      this.queued.push({ response, done: resolve });
      this.sendQueued();
    });
  }

  private sendQueued(): void {
    const next = this.busy ? undefined : this.queued.shift();
    if (!next) return;
    this.busy = true;
    this.d.send({ type: "response.create", ...(next.response ? { response: next.response } : {}) });
    const timer = setTimeout(next.done, REPLY_WAIT_MS);
    this.waitingForDone.push(() => {
      clearTimeout(timer);
      next.done();
    });
  }

  private async run(calls: ToolCallRequest[]): Promise<void> {
    const outcomes = await Promise.all(calls.map((c) => this.runOne(c)));
    calls.forEach((c, i) =>
      this.d.send({
        type: "conversation.item.create",
        item: { type: "function_call_output", call_id: c.callId, output: JSON.stringify(outcomes[i]!.output) },
      }),
    );
    if (outcomes.some((o) => o.respond !== false)) void this.respond();
    for (const o of outcomes) o.after?.();
  }

  private async runOne(c: ToolCallRequest): Promise<ToolOutcome> {
    const t0 = Date.now();
    const o = await this.d.handle(c).catch(
      (e: unknown): ToolOutcome => ({
        output: { error: "The tool failed." },
        success: false,
        error: e instanceof Error ? e.message : String(e),
      }),
    );
    this.counts.toolCalls++;
    if (!o.success) this.counts.toolFailures++;
    this.d.record({
      name: c.name,
      arguments: c.arguments,
      success: o.success,
      latencyMs: Date.now() - t0,
      error: o.success ? null : (o.error ?? "failed"),
    });
    return o;
  }
}

/** A failed tool call: `message` for the model, `error` for the record. */
export const toolFailed = (message: string, error: string): ToolOutcome => ({
  output: { error: message },
  success: false,
  error,
});
