import { ApiError } from "../../lib/errors";

/**
 * Twilio's processing regions outside US1 and the edge location each is reached through when the tenant names no
 * edge: the pairs Twilio documents as valid region/edge combinations (twilio.com/docs/twilio-cli/general-usage/regional;
 * ie1/au1 also in docs/global-infrastructure). The legacy IDs br1, de1, sg1 and us2 name edges into US1, not
 * processing regions (docs/global-infrastructure/edge-locations/legacy-regions), so they have no entry here.
 */
const REGION_EDGES: Readonly<Record<string, string>> = { ie1: "dublin", au1: "sydney", jp1: "tokyo" };

type RegionEdge = { region: string | null; edge: string | null };

const isUs1 = (region: string | null) => !region || region === "us1";

/** The edge a region is reached through by default: its documented pair, null for US1 or a region we know no pair for. */
export const defaultTwilioEdge = (region: string | null): string | null =>
  isUs1(region) ? null : (REGION_EDGES[region!] ?? null);

/**
 * The edge the browser's Voice SDK connects through (`new Device(token, {edge})`): the tenant's own, else its
 * region's default edge, else Twilio's default `roaming` (US1, or a region with no documented pair).
 */
export const twilioSdkEdge = (a: RegionEdge): string => a.edge ?? defaultTwilioEdge(a.region) ?? "roaming";

/**
 * The tenant's Twilio REST origin: `https://api.twilio.com` for US1, else `https://api.{edge}.{region}.twilio.com`
 * with the tenant's edge or its region's default one. A non-US1 region with neither is a configuration error
 * (409) rather than a guessed host: its credentials work only in that region.
 */
export function twilioApiOrigin(a: RegionEdge): string {
  if (isUs1(a.region)) return "https://api.twilio.com";
  const edge = a.edge ?? defaultTwilioEdge(a.region);
  if (!edge)
    throw new ApiError(
      409,
      `Twilio region ${a.region} has no default edge; set the customer's twilio.edge (e.g. dublin for ie1, sydney for au1, tokyo for jp1)`,
    );
  return `https://api.${edge}.${a.region}.twilio.com`;
}
