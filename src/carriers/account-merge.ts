import { encryptSecret } from "../auth/crypto";
import type { Env } from "../env";
import { invalid } from "../lib/validate";

/**
 * Merges one carrier's part of an admin create or PATCH over the stored account (src/carriers/accounts.ts): a field
 * given replaces, a field left out keeps what is stored, and one that neither has is collected, so that a single
 * 400 names every missing field.
 */
export class AccountMerge {
  private readonly missing: string[] = [];

  constructor(
    private readonly env: Env,
    /** The body's field for this carrier (`twilio`, `telnyx`, …): the issues' paths start with it. */
    private readonly part: string,
    private readonly carrierName: string,
  ) {}

  need<T>(value: T | undefined, field: string): T {
    if (value === undefined) this.missing.push(field);
    return value as T;
  }

  /** A secret: the one given, encrypted; else the stored ciphertext as it is. */
  async secret(given: string | undefined, storedCiphertext: string | undefined, field: string): Promise<string> {
    return given !== undefined ? encryptSecret(this.env, given) : this.need(storedCiphertext, field);
  }

  /** Throws the 400 naming every missing field, followed by `more` (the carrier's own rules), if there is any. */
  check(more: { path: string; message: string }[] = []): void {
    const issues = this.missing.map((f) => ({
      path: `${this.part}.${f}`,
      message: `is required: this customer has no ${this.carrierName} account yet`,
    }));
    issues.push(...more);
    if (issues.length) throw invalid("json", issues);
  }
}
