// Types of scripts/dev-env.mjs (a plain module, so `npm start` needs no TypeScript), for the TypeScript tools.
export const DEV_VARS: string;
export const DEMO_FILE: string;
export function parseVars(text: string): Record<string, string>;
export function ensureDevVars(): Record<string, string>;
export function readDemo(): Record<string, unknown> | null;
export function writeDemo(demo: Record<string, unknown>): void;
export const ALL_SCOPES: string[];
export function mintRepToken(
  vars: { JWT_SECRET: string; JWT_ISSUER?: string; JWT_AUDIENCE?: string },
  repId: number | string,
  scope?: string,
  ttl?: string,
): Promise<string>;
