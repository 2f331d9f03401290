/** A fake identity provider: publishes a JWKS (RS256 + ES256) and signs rep tokens with its private keys. */
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from "jose";
import { listen, readBody, sendJson, type RunningFake } from "./http";

export async function startIdpFake(): Promise<RunningFake> {
  const rsa = await generateKeyPair("RS256", { extractable: true });
  const ec = await generateKeyPair("ES256", { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ],
  };
  return listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname === "/.well-known/jwks.json") return sendJson(res, 200, jwks);
    if (url.pathname === "/__fake/sign" && req.method === "POST") {
      const { alg, claims, expiresIn } = JSON.parse((await readBody(req)).toString("utf8")) as {
        alg: "RS256" | "ES256";
        claims: JWTPayload;
        expiresIn?: string;
      };
      const key = alg === "RS256" ? rsa.privateKey : ec.privateKey;
      let jwt = new SignJWT(claims).setProtectedHeader({ alg, kid: alg === "RS256" ? "rsa-1" : "ec-1" }).setIssuedAt();
      if (expiresIn) jwt = jwt.setExpirationTime(expiresIn);
      return sendJson(res, 200, { token: await jwt.sign(key) });
    }
    return sendJson(res, 404, { error: "fake idp: unknown path" });
  });
}
