/**
 * The Worker the tests run: the production entry (src/index.ts) with two differences: the live-call object
 * also knows the test-only second carrier (test/carrier/fake-carrier.ts), and its assistant HTTP tools reach
 * https://tools.voicedesk.test on the loopback tools fake (test/fakes/tools.ts), there being no TLS on loopback.
 */
import { carriers } from "../src/carriers/registry";
import type { Env } from "../src/env";
import { carrierRegistry } from "../src/live/carrier";
import { CallObjectEngine } from "../src/live/call-object";
import type { ToolFetch } from "../src/live/http-tool";
import worker from "../src/index";
import { fakeCarrier } from "./carrier/fake-carrier";
import { TOOLS_ORIGIN } from "./tools-origin";

export * from "../src/index";
export default worker;

/** The tool host onto the fake (the request is otherwise unchanged); any other host as in production. */
const toolFetch =
  (fakeUrl: string): ToolFetch =>
  (request) => {
    const url = new URL(request.url);
    if (url.origin !== TOOLS_ORIGIN) return fetch(request);
    return fetch(new Request(fakeUrl + url.pathname + url.search, request));
  };

export class CallObject extends CallObjectEngine {
  constructor(ctx: DurableObjectState, env: Env) {
    const fakeTools = (env as Env & { FAKE_TOOLS_URL: string }).FAKE_TOOLS_URL;
    super(ctx, env, carrierRegistry(...carriers.values(), fakeCarrier), toolFetch(fakeTools));
  }
}
