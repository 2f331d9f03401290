import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { afterCallEnded, parseSentiment } from "../../src/ai/sentiment";
import type { AppEnv } from "../../src/auth/context";
import { getCall } from "../../src/db/calls";
import { onError } from "../../src/lib/app-errors";
import { json, openaiFake, provisionTenant } from "../helpers";
import { seedCall } from "../seed/calls";

const script = (key: string, reply: { content?: string; status?: number }) =>
  openaiFake(`/chat/${encodeURIComponent(key)}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(reply),
  });
const requestsOf = async (key: string) =>
  (await openaiFake(`/chat/${encodeURIComponent(key)}/requests`)).json() as Promise<
    {
      model: string;
      messages: { role: string; content: string }[];
      response_format: { type: string; json_schema: { schema: { properties: { sentiment: { enum: string[] } } } } };
    }[]
  >;

const transcript = [
  { sender: "AI" as const, text: "How can I help?", offsetMs: 0 },
  { sender: "EndUser" as const, text: "Thanks, that fixed it!", offsetMs: 2_000 },
];

describe("sentiment after a call ends", () => {
  it("classifies the transcript with the tenant's key and stores it", async () => {
    const t = await provisionTenant();
    const call = await seedCall(t.customerId, { transcript });
    await script(t.openaiKey ?? "", { content: JSON.stringify({ sentiment: "positive" }) });
    expect(await afterCallEnded(env, t.customerId, call.id)).toEqual({ status: "classified", sentiment: "positive" });
    expect((await getCall(env.DB, t.customerId, call.id))?.sentiment).toBe("positive");
    const [req] = await requestsOf(t.openaiKey ?? "");
    expect(req?.messages.at(-1)?.content).toBe("Agent: How can I help?\nCustomer: Thanks, that fixed it!");
    expect(req?.response_format.type).toBe("json_schema");
    expect(req?.response_format.json_schema.schema.properties.sentiment.enum).toEqual([
      "positive",
      "neutral",
      "negative",
    ]);
  });

  it("leaves the sentiment unknown without a key, without a transcript, or with an unusable answer", async () => {
    const keyless = await provisionTenant({ openai: false });
    const c1 = await seedCall(keyless.customerId, { transcript });
    expect(await afterCallEnded(env, keyless.customerId, c1.id)).toEqual({
      status: "skipped",
      reason: "no-openai-key",
    });

    const t = await provisionTenant();
    const silent = await seedCall(t.customerId);
    expect(await afterCallEnded(env, t.customerId, silent.id)).toEqual({ status: "skipped", reason: "no-transcript" });

    const c2 = await seedCall(t.customerId, { transcript });
    await script(t.openaiKey ?? "", { content: JSON.stringify({ sentiment: "ecstatic" }) });
    expect((await afterCallEnded(env, t.customerId, c2.id)).status).toBe("failed");
    await script(t.openaiKey ?? "", { status: 401 });
    expect((await afterCallEnded(env, t.customerId, c2.id)).status).toBe("failed");
    expect((await getCall(env.DB, t.customerId, c2.id))?.sentiment).toBeNull();
    expect((await getCall(env.DB, keyless.customerId, c1.id))?.sentiment).toBeNull();
    expect(await afterCallEnded(env, t.customerId, "vc_unknown")).toEqual({ status: "skipped", reason: "no-call" });
  });

  it("parses only the three labels", () => {
    expect(parseSentiment('{"sentiment":"negative"}')).toBe("negative");
    expect(parseSentiment("negative")).toBeNull();
    expect(parseSentiment('{"sentiment":"Positive"}')).toBeNull();
    expect(parseSentiment(null)).toBeNull();
  });
});

describe("call-data error shape", () => {
  it("answers an unexpected failure with exactly {error} and the request id in a header", async () => {
    const app = new Hono<AppEnv>()
      .use("*", async (c, next) => {
        c.set("requestId", "req-1");
        await next();
      })
      .get("/boom", () => {
        throw new Error("secret internals");
      })
      .onError(onError);
    const res = await app.request("/boom", {}, env);
    expect(res.status).toBe(500);
    expect(await json(res)).toEqual({ error: "Internal server error" });
    expect(res.headers.get("X-Request-Id")).toBe("req-1");
  });
});
