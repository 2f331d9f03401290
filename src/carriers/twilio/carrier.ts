import type { Carrier } from "../../live/carrier";
import { TwilioControl } from "./control";
import { twilioWire } from "./media-wire";

/** Twilio as the live engine sees it: Media Streams frames and call control through the REST Call resource. */
export const twilioCarrier: Carrier = {
  name: "twilio",
  wire: twilioWire,
  control: (env, customerId) => TwilioControl.forCustomer(env, customerId),
};
