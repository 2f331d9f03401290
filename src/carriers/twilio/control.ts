import { getCustomer, type CustomerRow } from "../../db/customers";
import type { Env } from "../../env";
import type { CallControl, CarrierCallState, PersonTarget, StreamTarget } from "../../live/carrier";
import { stateFromTwilio } from "./call-status";
import { TwilioRest } from "./rest";
import { publicOriginOf } from "../../lib/public-url";
import { mediaStreamUrl } from "./stream-url";
import { connectStreamTwiml, dialTwiml, sayHangupTwiml } from "./twiml";
import { legStatusUrl } from "./voice-fields";

/**
 * Call control through Twilio's Call resource: every action on a call in progress is new TwiML for it (Twilio
 * stops our media stream and runs it), a new leg is a call created with inline TwiML.
 */
export class TwilioControl implements CallControl {
  constructor(
    private readonly env: Env,
    private readonly rest: TwilioRest,
    private readonly customer: Pick<CustomerRow, "phone_stream_url">,
  ) {}

  static async forCustomer(env: Env, customerId: number): Promise<TwilioControl> {
    const customer = await getCustomer(env.DB, customerId);
    if (!customer) throw new Error(`customer ${customerId} is gone`);
    return new TwilioControl(env, await TwilioRest.forCustomer(env, customerId), customer);
  }

  /** A translated call's legs stream to the tenant's phone stream URL (when set); any other call to this Worker. */
  private streamTwiml(stream: StreamTarget): string {
    const purpose = stream.parameters.Mode === "translate" ? "translate" : "assistant";
    return connectStreamTwiml(
      mediaStreamUrl(this.env, stream.origin, this.customer, stream.key, purpose),
      stream.parameters,
    );
  }

  async answer(callRef: string, stream: StreamTarget): Promise<void> {
    await this.rest.updateCall(callRef, { Twiml: this.streamTwiml(stream) });
  }

  async dial(p: { to: string; from: string; stream: StreamTarget; timeoutSec: number }): Promise<{ callRef: string }> {
    const call = await this.rest.createCall({
      to: p.to,
      from: p.from,
      twiml: this.streamTwiml(p.stream),
      timeoutSeconds: p.timeoutSec,
      // The `completed` event carries the final CallStatus (completed, busy, no-answer, failed, canceled).
      statusCallback: legStatusUrl(publicOriginOf(this.env, p.stream.origin), p.stream.key),
      statusCallbackEvents: ["completed"],
    });
    return { callRef: call.sid };
  }

  async transfer(callRef: string, to: PersonTarget, callerId: string | null, announce?: string): Promise<void> {
    await this.rest.updateCall(callRef, { Twiml: dialTwiml(to, { callerId, say: announce }) });
  }

  async sayAndHangUp(callRef: string, text: string, language?: string): Promise<void> {
    await this.rest.updateCall(callRef, { Twiml: sayHangupTwiml(text, language) });
  }

  async hangUp(callRef: string, ringing: boolean): Promise<void> {
    await this.rest.updateCall(callRef, { Status: ringing ? "canceled" : "completed" });
  }

  async status(callRef: string): Promise<CarrierCallState> {
    return stateFromTwilio((await this.rest.fetchCall(callRef)).status);
  }
}
