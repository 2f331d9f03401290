import type { SenderType } from "../db/tickets";
import { insertMessageStmt } from "../db/tickets";
import { insertSegmentStmt } from "../db/transcripts";
import type { Env } from "../env";
import type { CallPlan } from "./call-plan";

const CARRY_LINES = 20;
const LABEL: Record<SenderType, string> = { EndUser: "Caller", AI: "Assistant", CustomerRep: "Representative" };

/**
 * Both sides' words as they are transcribed: saved as the call's transcript segments (offset = ms into the
 * call) and as messages of the call's ticket, and kept briefly in memory so a renewed realtime session can be
 * told what was already said.
 */
export class TranscriptLog {
  private recent: string[] = [];
  private writes = new Set<Promise<void>>();
  failedWrites = 0;

  constructor(
    private readonly env: Env,
    private readonly plan: CallPlan,
  ) {}

  add(sender: SenderType, text: string, offsetMs: number): void {
    const t = text.trim();
    if (!t) return;
    this.recent.push(`${LABEL[sender]}: ${t}`);
    if (this.recent.length > CARRY_LINES) this.recent.shift();
    const { callId, ticketId, customerId } = this.plan;
    const offset = Math.max(0, Math.round(offsetMs));
    const stmts = [];
    if (callId)
      stmts.push(insertSegmentStmt(this.env.DB, { callId, customerId, senderType: sender, text: t, offsetMs: offset }));
    if (ticketId)
      stmts.push(
        insertMessageStmt(this.env.DB, {
          ticketId,
          customerId,
          senderType: sender,
          text: t,
          offsetMs: offset,
          recordingId: null,
          callId,
        }),
      );
    if (!stmts.length) return;
    const w = this.env.DB.batch(stmts)
      .then(() => undefined)
      .catch((e: unknown) => {
        this.failedWrites++;
        console.error(
          JSON.stringify({
            level: "error",
            msg: "transcript write failed",
            callId,
            error: e instanceof Error ? e.message : String(e),
          }),
        );
      });
    this.writes.add(w);
    void w.finally(() => this.writes.delete(w));
  }

  carryOver(): string {
    return this.recent.join("\n");
  }

  async drain(): Promise<void> {
    while (this.writes.size) await Promise.all([...this.writes]);
  }
}
