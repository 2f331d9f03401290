import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { decodeJwt, tokenProblem } from "../../console/src/jwt";

const sign = (claims: Record<string, unknown>, exp: number) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("7")
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode("console-jwt-test-secret-0123456789"));

describe("console sign-in: reading a pasted token", () => {
  it("reads the claims of a JWT (unicode included) without verifying it", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = await sign({ scope: "voice:read", name: "Zoë ☎" }, exp);
    expect(decodeJwt(token)).toMatchObject({ sub: "7", scope: "voice:read", name: "Zoë ☎", exp });
    expect(tokenProblem(token)).toBeNull();
  });

  it("says what is wrong before asking the server", async () => {
    expect(tokenProblem("")).toMatch(/Paste a rep token/);
    for (const bad of ["hello", "a.b", "a.b.c.d", "a.!!.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig"])
      expect(tokenProblem(bad), bad).toMatch(/not a JWT/);
    const expired = await sign({}, Math.floor(Date.now() / 1000) - 60);
    expect(tokenProblem(expired)).toMatch(/expired/);
  });
});
