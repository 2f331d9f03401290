import { carrierRegistry } from "../live/carrier";
import { dialerRegistry } from "../outbound/dialer";
import { telnyxCarrier } from "./telnyx/carrier";
import { twilioCarrier } from "./twilio/carrier";
import { twilioDialer } from "./twilio/outbound";

/** Every carrier the live engine can run a call on, by `calls.carrier` value. */
export const carriers = carrierRegistry(twilioCarrier, telnyxCarrier);

/** Every carrier that can place outbound AI calls, in order of preference for a tenant with several. */
export const dialers = dialerRegistry(twilioDialer);
