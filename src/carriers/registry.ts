import { carrierRegistry } from "../live/carrier";
import { twilioCarrier } from "./twilio/carrier";

/** Every carrier the live engine can run a call on, by `calls.carrier` value. */
export const carriers = carrierRegistry(twilioCarrier);
