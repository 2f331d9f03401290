import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  loadRingCentralAccount,
  ringcentralAccountCodec,
  ringcentralSettings,
} from "../../../src/carriers/ringcentral/account";
import { getCarrierAccount, upsertCarrierAccountStmt } from "../../../src/db/carrier-accounts";
import { ValidationError } from "../../../src/lib/errors";
import { admin } from "../../helpers";

async function customer(): Promise<number> {
  const res = await admin("/customers", { method: "POST", json: { name: "RC account test" } });
  return ((await res.json()) as { id: number }).id;
}

const input = {
  clientId: "cid_account_test",
  clientSecret: "s3cret-client",
  jwt: "eyJ.the-user-jwt.sig",
  mode: "forward-to-ai" as const,
  aiLine: "+32 2 555 01 00",
};

async function save(customerId: number, body: unknown) {
  const stored = await getCarrierAccount(env.DB, customerId, "ringcentral");
  const fields = await ringcentralAccountCodec.fields(env, body, stored);
  await upsertCarrierAccountStmt(env.DB, { ...fields, customerId }).run();
}

describe("the RingCentral account (carrier_accounts; the admin API in admin.test.ts)", () => {
  it("stores the client secret and the JWT encrypted, normalizes the AI line, and reads back in the clear", async () => {
    const id = await customer();
    await save(id, ringcentralSettings.parse(input));
    const row = await getCarrierAccount(env.DB, id, "ringcentral");
    expect(row!.secrets_json).not.toContain(input.clientSecret);
    expect(row!.secrets_json).not.toContain(input.jwt);
    expect(JSON.parse(row!.secrets_json)).toEqual({
      clientSecret: expect.stringMatching(/^v1:/),
      jwt: expect.stringMatching(/^v1:/),
    });
    expect(await loadRingCentralAccount(env, id)).toEqual({
      customerId: id,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      jwt: input.jwt,
      mode: "forward-to-ai",
      aiLine: "+3225550100",
    });
    expect(ringcentralAccountCodec.view(row!)).toEqual({
      clientId: input.clientId,
      mode: "forward-to-ai",
      aiLine: "+3225550100",
      hasClientSecret: true,
      hasJwt: true,
    });
  });

  it("a patch keeps what it does not name (secrets included)", async () => {
    const id = await customer();
    await save(id, ringcentralSettings.parse(input));
    await save(id, ringcentralSettings.partial().parse({ mode: "answer" }));
    expect(await loadRingCentralAccount(env, id)).toMatchObject({
      mode: "answer",
      jwt: input.jwt,
      aiLine: "+3225550100",
    });
  });

  it("names every missing field of a first account (forward-to-ai needs no AI line: the tenant's is found)", async () => {
    const id = await customer();
    const e = await save(id, { mode: "forward-to-ai" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues.map((i) => i.path).sort()).toEqual([
      "ringcentral.clientId",
      "ringcentral.clientSecret",
      "ringcentral.jwt",
    ]);
    expect(await getCarrierAccount(env.DB, id, "ringcentral")).toBeNull();
    expect(ringcentralSettings.safeParse({ ...input, mode: "pick-up" }).success).toBe(false);
    expect(ringcentralSettings.safeParse({ ...input, aiLine: "call me" }).success).toBe(false);
  });

  it("no account: null", async () => {
    expect(await loadRingCentralAccount(env, await customer())).toBeNull();
  });
});
