/**
 * A campaign's dialing settings (docs/campaigns.md), stored as `campaigns.dialing_json`: when it may call (in the
 * tenant's time zone), how fast, how often it tries a number again, and what it does on an answering machine.
 * Every part has defaults, so a stored `{}` (or nothing) is a complete, valid setting.
 */
import { z } from "zod";
import { WEEKDAYS, type WeeklyWindow } from "../lib/zoned-time";
import type { MachinePolicy } from "./dialer";

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const timeOfDay = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "a time of day HH:MM (00:00 to 24:00)");

export const callingHoursSchema = z
  .object({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .default([...WEEKDAYS]),
    start: timeOfDay.default("09:00"),
    end: timeOfDay.default("18:00"),
  })
  .refine((h) => minutes(h.start) < minutes(h.end), { message: "must be after start", path: ["end"] });

export const paceSchema = z.object({
  callsPerMinute: z.number().int().min(1).max(60).default(10),
  maxConcurrent: z.number().int().min(1).max(50).default(5),
});

/** Which ends of an attempt are tried again (while attempts remain); anything else is final. */
export const RETRY_ON = ["busy", "no-answer", "voicemail", "failed"] as const;
export type RetryReason = (typeof RETRY_ON)[number];

export const retrySchema = z.object({
  maxAttempts: z.number().int().min(1).max(10).default(3),
  delayMinutes: z.number().int().min(0).max(10_080).default(60),
  on: z.array(z.enum(RETRY_ON)).default(["busy", "no-answer"]),
});

export const voicemailSchema = z
  .object({
    action: z.enum(["hangup", "message", "continue"]).default("hangup"),
    message: z.string().trim().min(1).max(500).optional(),
  })
  .refine((v) => v.action !== "message" || v.message !== undefined, {
    message: "a message is needed when action is message",
    path: ["message"],
  });

export const dialingSettingsSchema = z.object({
  callingHours: callingHoursSchema.prefault({}),
  pace: paceSchema.prefault({}),
  retry: retrySchema.prefault({}),
  voicemail: voicemailSchema.prefault({}),
  /** Overrides the assistant's welcome message on this campaign's calls. */
  welcomeMessage: z.string().trim().min(1).max(400).optional(),
});
export type DialingSettings = z.infer<typeof dialingSettingsSchema>;
export type DialingInput = z.input<typeof dialingSettingsSchema>;

/** The stored settings with every default filled in. */
export const parseDialing = (json: string | null): DialingSettings =>
  dialingSettingsSchema.parse(json ? JSON.parse(json) : {});

/** Stored settings with the parts a request gives replaced (each part as a whole), validated again. */
export const mergeDialing = (json: string | null, patch: DialingInput): DialingSettings =>
  dialingSettingsSchema.parse({
    ...(json ? (JSON.parse(json) as object) : {}),
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  });

export const callingWindow = (s: DialingSettings): WeeklyWindow => ({
  days: s.callingHours.days,
  startMinute: minutes(s.callingHours.start),
  endMinute: minutes(s.callingHours.end),
});

export const machinePolicy = (s: DialingSettings): MachinePolicy => ({
  action: s.voicemail.action,
  message: s.voicemail.message ?? null,
});
