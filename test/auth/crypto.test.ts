import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, timingSafeEqual } from "../../src/auth/crypto";
import { provisionTenant } from "../helpers";

describe("secrets at rest", () => {
  it("round-trips through AES-GCM with a fresh IV each time", async () => {
    const a = await encryptSecret(env, "auth-token-123");
    const b = await encryptSecret(env, "auth-token-123");
    expect(a).not.toBe(b);
    expect(a.startsWith("v1:")).toBe(true);
    expect(await decryptSecret(env, a)).toBe("auth-token-123");
  });

  it("detects tampering", async () => {
    const a = await encryptSecret(env, "auth-token-123");
    const flipped = a.slice(0, -4) + (a.slice(-4, -3) === "A" ? "B" : "A") + a.slice(-3);
    await expect(decryptSecret(env, flipped)).rejects.toThrow();
  });

  it("stores no tenant secret in plaintext in D1", async () => {
    const t = await provisionTenant();
    const row = await env.DB.prepare("SELECT * FROM customers WHERE id = ?1").bind(t.customerId).first();
    const dump = JSON.stringify(row);
    for (const secret of [t.authToken, t.apiKeySecret, t.openaiKey!]) expect(dump).not.toContain(secret);
    expect(await decryptSecret(env, String(row?.twilio_auth_token_enc))).toBe(t.authToken);
  });
});

describe("timingSafeEqual", () => {
  it("compares by value, including different lengths", async () => {
    expect(await timingSafeEqual("abc", "abc")).toBe(true);
    expect(await timingSafeEqual("abc", "abd")).toBe(false);
    expect(await timingSafeEqual("abc", "abcd")).toBe(false);
    expect(await timingSafeEqual("", "")).toBe(true);
  });
});
