import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { admin, api, hex, json, provisionTenant, repToken } from "../helpers";
import { referenceAccessToken } from "../carriers/twilio/helpers";

interface TokenBody {
  token: string;
  region: string;
  edge: string;
  identity: string;
  expiresAt: string;
}

const grantsOf = (token: string) =>
  decodeJwt(token).grants as { identity: string; voice: { outgoing: { application_sid: string } } };

describe("GET /api/TwilioCalls/voice-token", () => {
  it("returns the rep's voice token, claim by claim what twilio's AccessToken makes, with region and edge", async () => {
    const t = await provisionTenant({ region: "ie1", edge: "dublin" });
    const res = await api("/api/TwilioCalls/voice-token", { token: t.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = await json<TokenBody>(res);
    expect(body).toMatchObject({ region: "ie1", edge: "dublin", identity: t.repIdentity });

    const { payload } = await jwtVerify(body.token, new TextEncoder().encode(t.apiKeySecret), {
      algorithms: ["HS256"],
    });
    const ref = await referenceAccessToken({
      accountSid: t.accountSid,
      apiKeySid: t.apiKeySid,
      apiKeySecret: t.apiKeySecret,
      identity: t.repIdentity,
      outgoingApplicationSid: t.twimlAppSid,
      region: "ie1",
    });
    const theirs = decodeJwt(ref);
    expect(decodeProtectedHeader(body.token)).toEqual(decodeProtectedHeader(ref));
    expect(payload.iss).toBe(theirs.iss);
    expect(payload.sub).toBe(theirs.sub);
    expect(payload.grants).toEqual(theirs.grants);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.jti).toBe(`${t.apiKeySid}-${payload.iat}`);
    expect(Date.parse(body.expiresAt) / 1000).toBe(payload.exp);
    expect(JSON.stringify(body)).not.toContain(t.apiKeySecret);
  });

  it("answers the tenant's own region and edge", async () => {
    const t = await provisionTenant({ region: "au1", edge: "sydney" });
    const body = await json<TokenBody>(await api("/api/TwilioCalls/voice-token", { token: t.token }));
    expect(body).toMatchObject({ region: "au1", edge: "sydney" });
    expect(decodeProtectedHeader(body.token).twr).toBe("au1");
  });

  it("without an edge: the region's documented default edge (ie1 dublin, au1 sydney, jp1 tokyo), else roaming", async () => {
    for (const [region, edge] of [
      ["ie1", "dublin"],
      ["au1", "sydney"],
      ["jp1", "tokyo"],
      ["us1", "roaming"],
      [undefined, "roaming"],
    ] as const) {
      const res = await admin("/customers", {
        method: "POST",
        json: {
          name: `No edge ${region}`,
          twilio: {
            accountSid: `AC${hex(16)}`,
            authToken: hex(16),
            apiKeySid: `SK${hex(16)}`,
            apiKeySecret: hex(16),
            twimlAppSid: `AP${hex(16)}`,
            ...(region ? { region } : {}),
          },
        },
      });
      expect(res.status).toBe(201);
      const { id } = await json<{ id: number }>(res);
      const rep = await json<{ id: number }>(
        await admin(`/customers/${id}/reps`, { method: "POST", json: { name: "Rep", phoneNumbers: [] } }),
      );
      const body = await json<TokenBody>(await api("/api/TwilioCalls/voice-token", { token: await repToken(rep.id) }));
      expect(body, String(region)).toMatchObject({ region: region ?? "us1", edge });
    }
  });

  it("uses twimlAppSidOverride only when the app is registered for the tenant", async () => {
    const t = await provisionTenant();
    const other = await provisionTenant();
    const extra = `AP${hex(16)}`;
    const unregistered = `AP${hex(16)}`;

    const refused = await api(`/api/TwilioCalls/voice-token?twimlAppSidOverride=${extra}`, { token: t.token });
    expect(refused.status).toBe(403);
    expect((await json(refused)).error).toMatch(/not a TwiML app registered/);

    const patched = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { twilio: { extraTwimlAppSids: [extra] } },
    });
    expect(patched.status).toBe(200);
    expect((await json<{ twilio: { extraTwimlAppSids: string[] } }>(patched)).twilio.extraTwimlAppSids).toEqual([
      extra,
    ]);

    const ok = await api(`/api/TwilioCalls/voice-token?twimlAppSidOverride=${extra}`, { token: t.token });
    expect(ok.status).toBe(200);
    expect(grantsOf((await json<TokenBody>(ok)).token).voice.outgoing.application_sid).toBe(extra);

    const own = await api(`/api/TwilioCalls/voice-token?twimlAppSidOverride=${t.twimlAppSid}`, { token: t.token });
    expect(grantsOf((await json<TokenBody>(own)).token).voice.outgoing.application_sid).toBe(t.twimlAppSid);

    expect(
      (await api(`/api/TwilioCalls/voice-token?twimlAppSidOverride=${unregistered}`, { token: t.token })).status,
    ).toBe(403);
    // another tenant's app is not ours either
    expect(
      (await api(`/api/TwilioCalls/voice-token?twimlAppSidOverride=${other.twimlAppSid}`, { token: t.token })).status,
    ).toBe(403);
    // and the extra app is not the other tenant's
    expect(
      (await api(`/api/TwilioCalls/voice-token?twimlAppSidOverride=${extra}`, { token: other.token })).status,
    ).toBe(403);
  });

  it("validates twimlAppSidOverride's form (AP + letters and digits)", async () => {
    const t = await provisionTenant();
    for (const bad of ["AP-123", `XX${hex(16)}`, `AP${hex(16)}/`, `AP${"g".repeat(65)}`, "AP", ""]) {
      const res = await api(`/api/TwilioCalls/voice-token?twimlAppSidOverride=${encodeURIComponent(bad)}`, {
        token: t.token,
      });
      expect(res.status, bad).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues[0]!.path).toBe("twimlAppSidOverride");
    }
  });

  it("refuses admin registration of a malformed extra TwiML app", async () => {
    const t = await provisionTenant();
    const res = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { twilio: { extraTwimlAppSids: ["AP/1"] } },
    });
    expect(res.status).toBe(400);
  });

  it("needs a valid rep token of an active rep", async () => {
    const t = await provisionTenant();
    expect((await api("/api/TwilioCalls/voice-token")).status).toBe(401);
    expect(
      (
        await api("/api/TwilioCalls/voice-token", {
          token: await repToken(t.repId, { secret: "wrong-secret-wrong-secret-wrong-secret" }),
        })
      ).status,
    ).toBe(401);
    await admin(`/customers/${t.customerId}/reps/${t.repId}`, { method: "PATCH", json: { active: false } });
    expect((await api("/api/TwilioCalls/voice-token", { token: t.token })).status).toBe(403);
  });
});
