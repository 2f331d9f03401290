/** One line of the health report (docs/deploy.md, "Health"): what was checked, whether it passed, what was seen. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failure, in words an operator can act on. */
  fix?: string;
}

export const pass = (name: string, detail: string): Check => ({ name, ok: true, detail });
export const fail = (name: string, detail: string, fix: string): Check => ({ name, ok: false, detail, fix });

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs a check; one that throws (a binding that is not what it claims, an unreadable row) is reported as that
 * check failing, so one broken part never turns the whole report into a 500.
 */
export async function guarded(name: string, fix: string, run: () => Promise<Check[]>): Promise<Check[]> {
  try {
    return await run();
  } catch (e) {
    return [fail(name, `the check could not run: ${errorText(e)}`, fix)];
  }
}
