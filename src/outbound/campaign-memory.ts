/** How long placements count against a campaign's calls per minute. */
export const RATE_WINDOW_MS = 60_000;

export interface CampaignIdentity {
  customerId: number;
  campaignId: number;
}

const P = "campaign:";

/**
 * What a campaign's object keeps beside D1 (where the campaign, its contacts and their calls are): which campaign
 * it is, the public origin its calls' webhooks go to, when it placed its last calls (the pace), and when it last
 * asked the carrier about a call whose callbacks are late. Synchronous KV in the object's SQLite storage, so all of
 * it survives a restart or an eviction.
 */
export class CampaignMemory {
  constructor(private readonly kv: SyncKvStorage) {}

  get identity(): CampaignIdentity | null {
    return this.kv.get<CampaignIdentity>(`${P}identity`) ?? null;
  }
  /** Named once (the object's name says the same); another campaign's kick on this object is refused. */
  setIdentity(id: CampaignIdentity) {
    const known = this.identity;
    if (known && (known.customerId !== id.customerId || known.campaignId !== id.campaignId))
      throw new Error("this object belongs to another campaign");
    if (!known) this.kv.put(`${P}identity`, id);
  }

  get origin(): string | null {
    return this.kv.get<string>(`${P}origin`) ?? null;
  }
  setOrigin(origin: string) {
    this.kv.put(`${P}origin`, origin);
  }

  /** Placements within the rate window before `now`, oldest first. */
  recentPlacements(now: number): number[] {
    return (this.kv.get<number[]>(`${P}placements`) ?? []).filter((t) => t > now - RATE_WINDOW_MS);
  }
  notePlacement(now: number) {
    this.kv.put(`${P}placements`, [...this.recentPlacements(now), now]);
  }

  polledAt(callId: string): number | null {
    return this.kv.get<Record<string, number>>(`${P}polled`)?.[callId] ?? null;
  }
  /** Keeps only the calls still being asked about (`live`), so the map never grows past the calls in progress. */
  notePolled(callId: string, now: number, live: readonly string[]) {
    const kept = Object.entries(this.kv.get<Record<string, number>>(`${P}polled`) ?? {}).filter(([id]) =>
      live.includes(id),
    );
    this.kv.put(`${P}polled`, { ...Object.fromEntries(kept), [callId]: now });
  }
}
