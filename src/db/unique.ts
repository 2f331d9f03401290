/** Whether D1 refused a write for a UNIQUE constraint (optionally: on this `table.column`). */
export const isUniqueViolation = (e: unknown, column?: string): boolean =>
  e instanceof Error &&
  /UNIQUE constraint failed/i.test(e.message) &&
  (column === undefined || e.message.includes(column));
