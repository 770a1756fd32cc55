// Dex, the OpenID Connect provider of the test control plane (issue #14): built by build-dex.sh, run on loopback
// over HTTPS with a CA of its own, static users, the password grant (tokens without a browser) and in-memory
// storage. dev's kube-apiserver trusts it through structured authentication configuration, so a token Dex
// issues is also a Kubernetes credential there (passthrough), with the claims mapped under the "oidc:" prefix.
import { existsSync, writeFileSync } from "node:fs"
import { request } from "node:https"
import { homedir } from "node:os"
import { join } from "node:path"

export const DEX_VERSION = "v2.45.1"

/** The binary build-dex.sh leaves in the cache (KUBE_MCP_DEX_BIN names another directory). */
export const dexBinary = (): string | undefined => {
  const file = join(process.env.KUBE_MCP_DEX_BIN ?? join(homedir(), ".cache", "kube-mcp", "dex", DEX_VERSION), "dex")
  return existsSync(file) ? file : undefined
}

/** The client kube-mcp's users get tokens through; its id is the audience both kube-mcp and the API server accept. */
export const OIDC_CLIENT = { id: "kube-mcp", secret: "kube-mcp-test-secret" } as const
/** Another application of the same issuer: its tokens carry aud "other-app", which kube-mcp must refuse. */
export const OTHER_CLIENT = { id: "other-app", secret: "other-app-test-secret" } as const
/** What the API server (and kube-mcp's impersonation) prefixes to the token's user and groups. */
export const OIDC_PREFIX = "oidc:"

/**
 * The test users. alice is bound (by user name) to list pods in team-a only; bob is in the group that may read
 * everything. Password "password" for both (the bcrypt hash is Dex's own example).
 */
export const OIDC_USERS = {
  alice: { email: "alice@example.com", groups: ["team-a-readers"] },
  bob: { email: "bob@example.com", groups: ["cluster-readers"] }
} as const
export type OidcUser = keyof typeof OIDC_USERS
const PASSWORD = "password"
const PASSWORD_HASH = "$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W"

export interface OidcInfo {
  /** https://127.0.0.1:<port>/dex */
  issuer: string
  /** PEM file of the CA that signed Dex's serving certificate. */
  caFile: string
  clientId: string
  clientSecret: string
}

/** Dex's config file: JSON is YAML, so every value is quoted safely. */
export const writeDexConfig = (file: string, o: { issuer: string; port: number; cert: string; key: string }): void => {
  const users = Object.entries(OIDC_USERS).map(([name, u], i) => ({
    email: u.email,
    hash: PASSWORD_HASH,
    username: name,
    userID: `00000000-0000-0000-0000-00000000000${i + 1}`,
    groups: [...u.groups]
  }))
  writeFileSync(file, JSON.stringify({
    issuer: o.issuer,
    storage: { type: "memory" },
    web: { https: `127.0.0.1:${o.port}`, tlsCert: o.cert, tlsKey: o.key },
    logger: { level: "info", format: "json" },
    oauth2: { grantTypes: ["authorization_code", "refresh_token", "password"], passwordConnector: "local", skipApprovalScreen: true },
    expiry: { idTokens: "1h" },
    enablePasswordDB: true,
    staticPasswords: users,
    staticClients: [OIDC_CLIENT, OTHER_CLIENT].map((c) => ({ ...c, name: c.id, redirectURIs: ["http://127.0.0.1:5555/callback"] }))
  }, null, 2))
}

/** dev apiserver's AuthenticationConfiguration (apiserver.config.k8s.io/v1): trust Dex, users and groups prefixed. */
export const writeAuthenticationConfig = (file: string, o: { issuer: string; caPem: string }): void => {
  writeFileSync(file, JSON.stringify({
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AuthenticationConfiguration",
    jwt: [{
      issuer: { url: o.issuer, audiences: [OIDC_CLIENT.id], certificateAuthority: o.caPem },
      claimMappings: {
        username: { claim: "email", prefix: OIDC_PREFIX },
        groups: { claim: "groups", prefix: OIDC_PREFIX }
      }
    }]
  }, null, 2))
}

const post = (url: string, body: string, headers: Record<string, string>, ca: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const r = request(url, { method: "POST", ca, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, timeout: 10_000 }, (res) => {
      let text = ""
      res.on("data", (c: Buffer) => (text += c.toString()))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    r.on("error", reject)
    r.end(body)
  })

/** An access token for a test user, by the password grant (no browser); `client` another client than kube-mcp's. */
export const dexToken = async (
  oidc: OidcInfo,
  caPem: string,
  user: OidcUser,
  client: { readonly id: string; readonly secret: string } = { id: oidc.clientId, secret: oidc.clientSecret }
): Promise<string> => {
  const form = new URLSearchParams({
    grant_type: "password",
    username: OIDC_USERS[user].email,
    password: PASSWORD,
    scope: "openid email groups profile"
  }).toString()
  const basic = Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString("base64")
  const res = await post(`${oidc.issuer}/token`, form, { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` }, caPem)
  if (res.status !== 200) throw new Error(`Dex password grant for ${user} failed: HTTP ${res.status} ${res.body.slice(0, 300)}`)
  const parsed: unknown = JSON.parse(res.body)
  const token = typeof parsed === "object" && parsed !== null && "access_token" in parsed ? parsed.access_token : undefined
  if (typeof token !== "string") throw new Error(`Dex answered without an access_token: ${res.body.slice(0, 300)}`)
  return token
}

