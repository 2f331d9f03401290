import type { TestProject } from "vitest/node";
import { startOpenAIFake } from "./fakes/openai/server";
import { startFakeCarrier } from "./fakes/fake-carrier";
import { startIdpFake } from "./fakes/idp";
import { startToolsFake } from "./fakes/tools";
import { startTelnyxFake } from "./fakes/telnyx";
import { startRingCentralFake } from "./fakes/ringcentral";
import { startTwilioFake } from "./fakes/twilio";

/** Runs in Node: starts the external-service fakes on loopback; the Worker reaches them through the base-URL variables. */
export default async function setup(project: TestProject) {
  const twilio = await startTwilioFake();
  const openai = await startOpenAIFake();
  const idp = await startIdpFake();
  const fakeCarrier = await startFakeCarrier();
  const tools = await startToolsFake();
  const telnyx = await startTelnyxFake();
  const ringcentral = await startRingCentralFake();
  project.provide("twilioBaseUrl", twilio.url);
  project.provide("openaiBaseUrl", `${openai.url}/v1`);
  project.provide("idpUrl", idp.url);
  project.provide("fakeCarrierUrl", fakeCarrier.url);
  project.provide("toolsUrl", tools.url);
  project.provide("telnyxBaseUrl", `${telnyx.url}/v2`);
  project.provide("ringcentralBaseUrl", ringcentral.url);
  return async () => {
    await Promise.all([
      twilio.close(),
      openai.close(),
      idp.close(),
      fakeCarrier.close(),
      tools.close(),
      telnyx.close(),
      ringcentral.close(),
    ]);
  };
}
