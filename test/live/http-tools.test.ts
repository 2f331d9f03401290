import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { ToolRequest } from "../fakes/tools";
import { admin, api, hex, json } from "../helpers";
import { TOOLS_ORIGIN } from "../tools-origin";
import { answeringDrivers, startCall, twilioDriver } from "./drivers";
import {
  assistantTenant,
  closedCall,
  realtimeReply,
  realtimeState,
  toolCallsOf,
  type AssistantTenant,
} from "./live-helpers";
import { eventually } from "./stream-client";

const toolsFake = (path: string, init?: RequestInit) => fetch(`${inject("toolsUrl")}/__fake${path}`, init);

/** What the tenant's endpoint at `path` answers (hang: never). */
async function answer(path: string, a: { status: number; body?: unknown; hang?: boolean }) {
  await toolsFake("/script", { method: "POST", body: JSON.stringify({ path, ...a }) });
}

const requestsUnder = async (prefix: string) =>
  (await (await toolsFake(`/requests?prefix=${encodeURIComponent(prefix)}`)).json()) as ToolRequest[];

async function addTool(t: AssistantTenant, body: Record<string, unknown>) {
  const res = await admin(`/customers/${t.customerId}/assistants/${t.assistantId}/tools`, {
    method: "POST",
    json: body,
  });
  if (res.status !== 201) throw new Error(`tool: ${res.status} ${await res.text()}`);
  return json<{ id: number }>(res);
}

/** The model calls `name` with `args`; resolves with the output the engine sent back (parsed). */
async function modelCalls(key: string, name: string, args: string) {
  await realtimeReply(key, {
    chunks: 1,
    chunkBytes: 160,
    transcript: "Let me check.",
    functionCall: { name, arguments: args },
  });
  const st = await eventually(
    () => realtimeState(key),
    (s) => {
      const last = s.connections[0]!.functionCalls.at(-1);
      return last?.name === name && last.arguments === args && last.output !== null;
    },
    `the output of ${name}`,
  );
  const conn = st.connections[0]!;
  return { output: JSON.parse(conn.functionCalls.at(-1)!.output!) as unknown, conn };
}

const orderSchema = {
  type: "object",
  properties: { orderId: { type: "string", description: "The order number" } },
  required: ["orderId"],
};

describe.each(answeringDrivers)("HTTP tools on $carrier (docs/live-calls.md, HTTP tools)", (driver) => {
  it("calls the tenant's endpoint from the call's object with its secret headers and gives the model the answer", async () => {
    const t = await assistantTenant({ welcome: null });
    const key = t.openaiKey!;
    const base = `/t/${hex(6)}`;
    await answer(`${base}/orders`, { status: 200, body: { status: "shipped", eta: "Friday" } });
    await addTool(t, {
      name: "lookup_order",
      description: "Find an order's delivery status.",
      parameters: orderSchema,
      url: `${TOOLS_ORIGIN}${base}/orders`,
      headers: { Authorization: "Bearer s3cret-token", "X-Tenant": "acme" },
      timeoutMs: 3000,
    });
    const { tc, callId } = await startCall(driver, t);
    const opened = await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]?.session?.tools !== undefined,
      "the session's tools",
    );
    const tool = opened.connections[0]!.session!.tools!.find((x) => x.name === "lookup_order");
    expect(tool).toEqual({
      type: "function",
      name: "lookup_order",
      description: "Find an order's delivery status.",
      parameters: orderSchema,
    });

    const { output, conn } = await modelCalls(key, "lookup_order", '{"orderId":"A17"}');
    expect(output).toEqual({ status: 200, body: { status: "shipped", eta: "Friday" } });
    const [req, ...more] = await requestsUnder(base);
    expect(more).toEqual([]);
    expect(req).toMatchObject({ method: "POST", path: `${base}/orders`, body: '{"orderId":"A17"}' });
    expect(req!.headers).toMatchObject({
      authorization: "Bearer s3cret-token",
      "x-tenant": "acme",
      "content-type": "application/json",
    });
    // The output goes in as a function_call_output item, then the model is asked to answer with it.
    await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]!.events.at(-1)?.type === "response.create",
      "the model asked to answer",
    );
    const created = conn.events.filter((e) => e.type === "conversation.item.create");
    expect(created.at(-1)).toMatchObject({ item: { type: "function_call_output" } });

    tc.stop(t.accountSid);
    await closedCall(t, callId);
    const [row] = await toolCallsOf(t, callId);
    expect(row).toMatchObject({ name: "lookup_order", success: 1, arguments: '{"orderId":"A17"}', error: null });
    expect(row!.latency_ms).toBeGreaterThanOrEqual(0);
    const detailed = await json<{ metrics: { tool_call_success_rate: number | null } }>(
      await api("/api/voice/analytics/detailed", { token: t.token }),
    );
    expect(detailed.metrics.tool_call_success_rate).toBe(1);
  });
});

describe("HTTP tools: methods and failures", () => {
  it("GET sends the arguments as query parameters; an error status, a timeout, bad arguments and a deleted tool fail, and the rate shows it", async () => {
    const t = await assistantTenant({ welcome: null });
    const key = t.openaiKey!;
    const base = `/t/${hex(6)}`;
    await answer(`${base}/stock`, { status: 200, body: { inStock: 3 } });
    await answer(`${base}/broken`, { status: 503, body: { error: "maintenance" } });
    await answer(`${base}/slow`, { status: 200, hang: true });
    const tool = (name: string, path: string, extra: Record<string, unknown> = {}) =>
      addTool(t, { name, description: `The ${name} tool.`, url: `${TOOLS_ORIGIN}${base}${path}`, ...extra });
    await tool("stock", "/stock", { method: "GET" });
    const broken = await tool("broken", "/broken");
    await tool("slow", "/slow", { timeoutMs: 300 });
    const { tc, callId } = await startCall(twilioDriver, t);

    expect((await modelCalls(key, "stock", '{"sku":"B-2","size":42}')).output).toEqual({
      status: 200,
      body: { inStock: 3 },
    });
    const [get] = await requestsUnder(`${base}/stock`);
    expect(get).toMatchObject({ method: "GET", query: { sku: "B-2", size: "42" }, body: "" });

    // The model hears what the endpoint said, and the call counts as failed.
    expect((await modelCalls(key, "broken", "{}")).output).toEqual({ status: 503, body: { error: "maintenance" } });
    expect((await modelCalls(key, "slow", "{}")).output).toEqual({ error: "The tool did not answer in time." });
    expect((await modelCalls(key, "stock", "[1,2]")).output).toEqual({
      error: "The arguments were not a JSON object.",
    });
    // Deleted while the call runs: its headers are gone with it, so it is not called.
    await admin(`/customers/${t.customerId}/assistants/${t.assistantId}/tools/${broken.id}`, { method: "DELETE" });
    expect((await modelCalls(key, "broken", '{"again":true}')).output).toEqual({
      error: "This tool is no longer available.",
    });
    expect(await requestsUnder(`${base}/broken`)).toHaveLength(1);

    tc.stop(t.accountSid);
    await closedCall(t, callId);
    expect((await toolCallsOf(t, callId)).map((r) => [r.name, r.success, r.error])).toEqual([
      ["stock", 1, null],
      ["broken", 0, "HTTP 503"],
      ["slow", 0, "timed out after 300 ms"],
      ["stock", 0, "arguments are not a JSON object"],
      ["broken", 0, "tool deleted"],
    ]);
    const detailed = await json<{ metrics: { tool_call_success_rate: number | null } }>(
      await api("/api/voice/analytics/detailed", { token: t.token }),
    );
    expect(detailed.metrics.tool_call_success_rate).toBe(0.2);
  });
});
