import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getRecordingByCarrierSid } from "../../../src/db/recordings";
import { admin } from "../../helpers";
import { countOf } from "../../lifecycle/helpers";
import { eventually } from "../../live/stream-client";
import { telnyxCommands, telnyxFake } from "./helpers";
import { fakeTelnyxCall, legPayload, randomCaller, sendTelnyx, telnyxTenant } from "./tenant";

describe("deleting a customer with Telnyx calls", () => {
  it("purges its Telnyx call ids, recordings and account, and deletes Telnyx's copy; its webhooks are refused", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), "+15550003333");
    await sendTelnyx(t, { eventType: "call.initiated", payload: { ...legPayload(c), direction: "incoming" } });
    const rec = await telnyxFake<{ url: string }>("/recordings", { channels: 1 });
    const recordingId = crypto.randomUUID();
    await sendTelnyx(t, {
      eventType: "call.recording.saved",
      payload: { ...legPayload(c), recording_id: recordingId, channels: "single", recording_urls: { wav: rec.url } },
    });
    await eventually(
      () => getRecordingByCarrierSid(env.DB, t.customerId, recordingId),
      (r) => r !== null,
      "the copy",
    );
    expect(await countOf("telnyx_call_refs", t.customerId)).toBeGreaterThan(0);

    expect((await admin(`/customers/${t.customerId}`, { method: "DELETE" })).status).toBe(202);
    const late = await sendTelnyx(t, { eventType: "call.hangup", payload: legPayload(c) });
    expect(late.status).toBe(403);
    await eventually(
      async () =>
        (await countOf("telnyx_call_refs", t.customerId)) +
        (await countOf("recordings", t.customerId)) +
        (await countOf("carrier_accounts", t.customerId)) +
        (await countOf("calls", t.customerId)),
      (n) => n === 0,
      "the tenant's Telnyx data to go",
      30_000,
    );
    expect((await env.RECORDINGS.list({ prefix: `recordings/${t.customerId}/` })).objects).toEqual([]);
    const deletes = await eventually(
      () => telnyxCommands(t.telnyx),
      (cmds) => cmds.some((x) => x.action === "delete_recording"),
      "Telnyx's copy to be deleted",
    );
    expect(deletes.filter((x) => x.action === "delete_recording").map((x) => x.callControlId)).toEqual([recordingId]);
  });
});
