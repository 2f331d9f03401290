/**
 * The call-control side of the test-only second carrier (test/carrier/fake-carrier.ts), on loopback: it takes
 * the commands the live engine gives through the carrier seam, records them per tenant, and answers like a
 * small carrier API would. Anything unexpected is a loud 404.
 *
 *   POST /v1/calls                    {to, from, key, parameters, timeoutSec} → 201 {callRef}  (dial a leg)
 *   POST /v1/calls/{ref}/answer       {key, parameters}
 *   POST /v1/calls/{ref}/transfer     {to: {kind, identity|number}, callerId, announce?}
 *   POST /v1/calls/{ref}/say-hangup   {text}
 *   POST /v1/calls/{ref}/hangup       {ringing}
 *   GET  /v1/calls/{ref}              → {state}
 *   GET  /__fake/commands?customerId= → every command of that tenant, in order
 *   POST /__fake/calls/{ref}/complete {state} → a dialed leg ends (Busy, NoAnswer, Failed, Canceled, Completed)
 *   POST /__fake/events/take?customerId= → the leg-status events the carrier would have sent since (a dialed leg
 *        ended, or was hung up by a command), for the test to deliver to the engine (it has no webhook route)
 * Every call names its tenant in `X-Customer-Id`.
 */
import { randomBytes } from "node:crypto";
import { listen, readBody, sendJson, type RunningFake } from "./http";

export interface FakeCarrierCommand {
  action: "dial" | "answer" | "transfer" | "say-hangup" | "hangup";
  customerId: string;
  callRef: string;
  body: Record<string, unknown>;
}

/** What the carrier reports about a dialed leg: the call's object it streams into, the leg and its final state. */
export interface FakeLegEvent {
  key: string;
  customerId: string;
  callRef: string;
  state: string;
}

export async function startFakeCarrier(): Promise<RunningFake> {
  const commands: FakeCarrierCommand[] = [];
  const states = new Map<string, string>();
  const dialed = new Map<string, { key: string; customerId: string }>();
  let events: FakeLegEvent[] = [];
  const ended = (callRef: string, state: string) => {
    states.set(callRef, state);
    const leg = dialed.get(callRef);
    if (leg) events.push({ ...leg, callRef, state });
  };
  return listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const complete = /^\/__fake\/calls\/([A-Za-z0-9_]+)\/complete$/.exec(url.pathname);
    if (req.method === "POST" && complete) {
      if (!dialed.has(complete[1]!)) return sendJson(res, 404, { error: `fake carrier: no dialed leg ${complete[1]}` });
      ended(complete[1]!, String((JSON.parse((await readBody(req)).toString("utf8")) as { state: string }).state));
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === "POST" && url.pathname === "/__fake/events/take") {
      const customerId = url.searchParams.get("customerId");
      const mine = events.filter((e) => e.customerId === customerId);
      events = events.filter((e) => e.customerId !== customerId);
      return sendJson(res, 200, mine);
    }
    if (req.method === "GET" && url.pathname === "/__fake/commands") {
      return sendJson(
        res,
        200,
        commands.filter((c) => c.customerId === url.searchParams.get("customerId")),
      );
    }
    const customerId = req.headers["x-customer-id"];
    if (typeof customerId !== "string") return sendJson(res, 401, { error: "no X-Customer-Id" });
    if (req.method === "POST" && url.pathname === "/v1/calls") {
      const body = JSON.parse((await readBody(req)).toString("utf8")) as Record<string, unknown>;
      if (typeof body.to !== "string" || typeof body.key !== "string")
        return sendJson(res, 400, { error: "to and key required" });
      const callRef = `fk_${randomBytes(12).toString("hex")}`;
      states.set(callRef, "Ringing");
      dialed.set(callRef, { key: body.key, customerId });
      commands.push({ action: "dial", customerId, callRef, body });
      return sendJson(res, 201, { callRef });
    }
    const m = /^\/v1\/calls\/([A-Za-z0-9_]+)(?:\/(answer|transfer|say-hangup|hangup))?$/.exec(url.pathname);
    if (m && req.method === "GET" && !m[2]) return sendJson(res, 200, { state: states.get(m[1]!) ?? "InProgress" });
    if (m && req.method === "POST" && m[2]) {
      const body = JSON.parse((await readBody(req)).toString("utf8") || "{}") as Record<string, unknown>;
      const action = m[2] as FakeCarrierCommand["action"];
      commands.push({ action, customerId, callRef: m[1]!, body });
      if (action === "answer") states.set(m[1]!, "InProgress");
      if (action === "hangup") ended(m[1]!, body.ringing ? "Canceled" : "Completed");
      if (action === "say-hangup" || action === "transfer") states.set(m[1]!, "Completed");
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: `fake carrier: no route for ${req.method} ${url.pathname}` });
  });
}
