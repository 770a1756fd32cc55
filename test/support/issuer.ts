/**
 * A test authorization server for what Dex cannot be asked to do on demand: tokens that are expired, not yet
 * valid, carry chosen scopes, or are signed by a key that was rotated in. It signs with its own keys (jose) and
 * serves its discovery document and JWKS over loopback HTTPS, with a CA minted by test/cluster/pki.ts.
 */
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose"
import { mkdtempSync, readFileSync } from "node:fs"
import { createServer, type Server } from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureCA, ensureLeaf } from "../cluster/pki.js"

type Key = {
  readonly kid: string
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"]
  readonly jwk: Record<string, unknown>
}

const newKey = async (kid: string): Promise<Key> => {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true })
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } }
}

export interface TestIssuer {
  readonly issuer: string
  /** PEM file of the CA that signed the issuer's serving certificate (kube-mcp's oauth.ca_file). */
  readonly caFile: string
  /** How many times the JWKS was fetched (a rotated key must make kube-mcp fetch again). */
  readonly jwksFetches: () => number
  /** A token signed by the current key; `claims` override the defaults (sub, email, aud, iat, exp one hour ahead). */
  readonly sign: (claims: JWTPayload, options?: { readonly key?: "current" | "foreign" }) => Promise<string>
  /** A new signing key; the JWKS publishes it (and keeps the old one). */
  readonly rotate: () => Promise<void>
  readonly close: () => Promise<void>
}

export const startTestIssuer = async (audience: string): Promise<TestIssuer> => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-issuer-"))
  const ca = await ensureCA(dir, "ca", "kube-mcp-test-issuer-ca")
  const leaf = await ensureLeaf(ca, dir, "issuer", { cn: "test-issuer", usage: "server", sans: ["IP:127.0.0.1", "DNS:localhost"] })
  const keys: Array<Key> = [await newKey("key-1")]
  // signs with a key the issuer never published: a forged token
  const foreign = await newKey("key-1")
  let fetches = 0
  let issuer = ""
  const server: Server = createServer({ cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) }, (req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify(body))
    }
    if (req.url === "/.well-known/openid-configuration") return send({ issuer, jwks_uri: `${issuer}/keys`, token_endpoint: `${issuer}/token` })
    if (req.url === "/keys") {
      fetches++
      return send({ keys: keys.map((k) => k.jwk) })
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("test issuer: no port")
  issuer = `https://127.0.0.1:${address.port}`
  const current = () => {
    const k = keys[keys.length - 1]
    if (k === undefined) throw new Error("test issuer: no key")
    return k
  }
  const sign = (claims: JWTPayload, options: { readonly key?: "current" | "foreign" } = {}) => {
    const key = options.key === "foreign" ? foreign : current()
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT({ sub: "tester", email: "tester@example.com", aud: audience, iss: issuer, iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "at+jwt" })
      .sign(key.privateKey)
  }
  return {
    issuer,
    caFile: ca.cert,
    jwksFetches: () => fetches,
    sign,
    rotate: async () => void keys.push(await newKey(`key-${keys.length + 1}`)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
