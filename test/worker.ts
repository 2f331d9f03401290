/**
 * The Worker the tests run: the production entry (src/index.ts) with one difference, the live-call object
 * also knows the test-only second carrier (test/carrier/fake-carrier.ts).
 */
import { carriers } from "../src/carriers/registry";
import type { Env } from "../src/env";
import { carrierRegistry } from "../src/live/carrier";
import { CallObjectEngine } from "../src/live/call-object";
import worker from "../src/index";
import { fakeCarrier } from "./carrier/fake-carrier";

export * from "../src/index";
export default worker;

export class CallObject extends CallObjectEngine {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, carrierRegistry(...carriers.values(), fakeCarrier));
  }
}
