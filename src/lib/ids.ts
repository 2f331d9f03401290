/** Random URL-safe identifier with a type prefix, e.g. `vc_3f9a…` for a voice call. */
export function newId(prefix: string, bytes = 12): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return `${prefix}_${[...b].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
}

export const nowIso = (): string => new Date().toISOString();
