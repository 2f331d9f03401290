import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, json, provisionTenant } from "../helpers";

async function assistantOf(customerId: number, extra: Record<string, unknown> = {}) {
  const res = await admin(`/customers/${customerId}/assistants`, {
    method: "POST",
    json: { name: "Desk", instructions: "Be brief.", ...extra },
  });
  return { status: res.status, body: await json<Record<string, unknown> & { id: number }>(res) };
}

const issuesOf = async (res: Response) =>
  (await json<{ error: string; issues?: { path: string; message: string }[] }>(res)).issues?.map((i) => i.path) ?? [];

describe("admin: assistant turn detection, noise reduction, transfer (docs/live-calls.md)", () => {
  it("stores what is given, shows it, and clears it with null", async () => {
    const t = await provisionTenant();
    const a = await assistantOf(t.customerId, {
      turnDetection: { type: "semantic_vad", eagerness: "low" },
      noiseReduction: "far_field",
      transferNumber: "+32 2 555 01 23",
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      turnDetection: { type: "semantic_vad", eagerness: "low" },
      noiseReduction: "far_field",
      transferNumber: "+3225550123",
      transferMessage: null,
    });
    const path = `/customers/${t.customerId}/assistants/${a.body.id}`;
    const vad = { type: "server_vad", threshold: 0.7, prefixPaddingMs: 200, silenceDurationMs: 800 };
    const patched = await json(await admin(path, { method: "PATCH", json: { turnDetection: vad } }));
    expect(patched).toMatchObject({ turnDetection: vad, noiseReduction: "far_field", name: "Desk" });
    const cleared = await json(
      await admin(path, { method: "PATCH", json: { turnDetection: null, noiseReduction: null, transferNumber: null } }),
    );
    expect(cleared).toMatchObject({ turnDetection: null, noiseReduction: null, transferNumber: null });
    expect((await assistantOf(t.customerId)).body).toMatchObject({ turnDetection: null, noiseReduction: null });
  });

  it("refuses an unknown VAD type, out-of-range knobs, knobs of the other type and an unknown noise reduction", async () => {
    const t = await provisionTenant();
    const bad = async (extra: Record<string, unknown>) => {
      const res = await admin(`/customers/${t.customerId}/assistants`, {
        method: "POST",
        json: { name: "Desk", instructions: "Be brief.", ...extra },
      });
      expect(res.status).toBe(400);
      return issuesOf(res);
    };
    expect(await bad({ turnDetection: { type: "push_to_talk" } })).toEqual(["turnDetection.type"]);
    expect(await bad({ turnDetection: { type: "server_vad", threshold: 1.5 } })).toEqual(["turnDetection.threshold"]);
    expect(await bad({ turnDetection: { type: "server_vad", silenceDurationMs: 50 } })).toEqual([
      "turnDetection.silenceDurationMs",
    ]);
    expect(await bad({ turnDetection: { type: "semantic_vad", eagerness: "eager" } })).toEqual([
      "turnDetection.eagerness",
    ]);
    expect(await bad({ turnDetection: { type: "server_vad", eagerness: "high" } })).toEqual(["turnDetection"]);
    expect(await bad({ noiseReduction: "medium" })).toEqual(["noiseReduction"]);
    expect(await bad({ transferNumber: "reception" })).toEqual(["transferNumber"]);
  });
});

describe("admin: an assistant's HTTP tools", () => {
  const tool = {
    name: "lookup_order",
    description: "Find an order.",
    parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
    url: "https://api.acme.example/orders",
    headers: { Authorization: "Bearer top-secret-value" },
  };

  it("creates, lists, updates and deletes tools; header values are encrypted and never shown", async () => {
    const t = await provisionTenant();
    const a = await assistantOf(t.customerId);
    const base = `/customers/${t.customerId}/assistants/${a.body.id}/tools`;
    const created = await admin(base, { method: "POST", json: tool });
    expect(created.status).toBe(201);
    const body = await json<Record<string, unknown> & { id: number }>(created);
    expect(body).toMatchObject({
      assistantId: a.body.id,
      name: "lookup_order",
      method: "POST",
      timeoutMs: 5000,
      parameters: tool.parameters,
      headerNames: ["Authorization"],
    });
    expect(JSON.stringify(body)).not.toContain("top-secret-value");
    const row = await env.DB.prepare("SELECT headers_json FROM assistant_tools WHERE id = ?1")
      .bind(body.id)
      .first<{ headers_json: string }>();
    expect(row!.headers_json).not.toContain("top-secret-value");
    expect(JSON.parse(row!.headers_json).Authorization).toMatch(/^v1:/);

    const listed = await json<{ items: { name: string }[] }>(await admin(base));
    expect(listed.items.map((x) => x.name)).toEqual(["lookup_order"]);
    const patched = await admin(`${base}/${body.id}`, {
      method: "PATCH",
      json: { method: "GET", timeoutMs: 1500, headers: { "X-Api-Key": "other-secret" } },
    });
    expect(await json(patched)).toMatchObject({ method: "GET", timeoutMs: 1500, headerNames: ["X-Api-Key"] });
    expect((await admin(`${base}/${body.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await admin(`${base}/${body.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await json<{ items: unknown[] }>(await admin(base))).items).toEqual([]);
  });

  it("refuses a URL that is not https, an invalid JSON schema, reserved names and headers, and bad limits", async () => {
    const t = await provisionTenant();
    const a = await assistantOf(t.customerId);
    const base = `/customers/${t.customerId}/assistants/${a.body.id}/tools`;
    const bad = async (patch: Record<string, unknown>) => {
      const res = await admin(base, { method: "POST", json: { ...tool, ...patch } });
      expect(res.status).toBe(400);
      return issuesOf(res);
    };
    expect(await bad({ url: "http://api.acme.example/orders" })).toEqual(["url"]);
    expect(await bad({ url: "https://user:pw@api.acme.example/orders" })).toEqual(["url"]);
    expect(await bad({ url: "not a url" })).toEqual(["url"]);
    expect(await bad({ parameters: { type: "object", properties: { id: { type: "strnig" } } } })).toEqual([
      "parameters.properties.id.type",
    ]);
    expect(await bad({ parameters: { type: "object", properties: { id: { tpye: "string" } } } })).toEqual([
      "parameters.properties.id",
    ]);
    expect(await bad({ parameters: { type: "object", properties: {}, required: ["id"] } })).toEqual([
      "parameters.required",
    ]);
    expect(await bad({ parameters: { type: "string" } })).toEqual(["parameters"]);
    expect(await bad({ parameters: [] })).toEqual(["parameters"]);
    expect(await bad({ name: "end_call" })).toEqual(["name"]);
    expect(await bad({ name: "look up" })).toEqual(["name"]);
    expect(await bad({ headers: { Host: "evil.example" } })).toEqual(["headers.Host"]);
    expect(await bad({ method: "TRACE" })).toEqual(["method"]);
    expect(await bad({ timeoutMs: 60_000 })).toEqual(["timeoutMs"]);
    const res = await admin(base, { method: "POST", json: { ...tool, url: "ftp://x.example" } });
    expect((await json<{ error: string }>(res)).error).toMatch(/url/);
  });

  it("refuses a second tool of the same name (409), and another tenant's or an unknown assistant (404)", async () => {
    const t = await provisionTenant();
    const other = await provisionTenant();
    const a = await assistantOf(t.customerId);
    const base = `/customers/${t.customerId}/assistants/${a.body.id}/tools`;
    expect((await admin(base, { method: "POST", json: tool })).status).toBe(201);
    const dup = await admin(base, { method: "POST", json: tool });
    expect(dup.status).toBe(409);
    expect((await json<{ error: string }>(dup)).error).toContain("lookup_order");
    const foreign = `/customers/${other.customerId}/assistants/${a.body.id}/tools`;
    expect((await admin(foreign, { method: "POST", json: tool })).status).toBe(404);
    expect((await admin(foreign)).status).toBe(404);
    expect((await admin(`/customers/${t.customerId}/assistants/999999/tools`)).status).toBe(404);
  });
});
