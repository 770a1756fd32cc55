/**
 * HttpAuth: who may use `/mcp`, decided once per request (server.http.auth). `none` lets everyone in; `token`
 * compares the shared bearer token; `oauth` is an OAuth 2.1 resource server as the MCP authorization spec asks:
 * Protected Resource Metadata (RFC 9728) at /.well-known/oauth-protected-resource, 401 with
 * `WWW-Authenticate: Bearer resource_metadata=…` (error="invalid_token" for a bad token), access tokens verified
 * as JWTs against the issuer's JWKS (signature, iss, aud, exp/nbf within clock_skew), and scopes: a token without
 * a read scope, or calling a write tool without a write scope, gets 403 error="insufficient_scope" naming the
 * scopes it needs (the spec's "scope challenge", so a client can step up its authorization).
 */
import { createRemoteJWKSet, customFetch, errors as joseErrors, type JWTPayload, jwtVerify } from "jose"
import { Context, Effect, Layer } from "effect"
import { timingSafeEqual } from "node:crypto"
import type { IncomingMessage } from "node:http"
import * as https from "node:https"
import { AppSettings } from "../config/appSettings.js"
import type { OAuthSettings, Settings } from "../config/settings.js"
import type { CallerIdentity } from "./identity.js"

/** An HTTP answer the transport sends as is (JSON body). */
export interface HttpAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

export type AuthDecision =
  | { readonly _tag: "Refuse"; readonly answer: HttpAnswer }
  | {
    readonly _tag: "Allow"
    /** The validated caller (oauth only). */
    readonly identity: CallerIdentity | undefined
    /** The JSON-RPC body, when it had to be read to check scopes (hand it to the transport: the stream is consumed). */
    readonly body?: unknown
  }

export interface HttpAuthApi {
  /** The answer to a GET under /.well-known/ (the metadata document), or undefined when there is none. */
  readonly wellKnown: (path: string, req: IncomingMessage) => HttpAnswer | undefined
  /** The one check before MCP handling; `isWrite` tells the tools that can change a cluster. */
  readonly check: (req: IncomingMessage, isWrite: (tool: string) => boolean) => Effect.Effect<AuthDecision>
}

export class HttpAuth extends Context.Service<HttpAuth, HttpAuthApi>()("kube-mcp/HttpAuth") {
  static readonly layer: Layer.Layer<HttpAuth, never, AppSettings> = Layer.effect(
    HttpAuth,
    Effect.gen(function*() {
      return makeHttpAuth((yield* AppSettings).http)
    })
  )
}

const PRM_PATH = "/.well-known/oauth-protected-resource"
/** The SDK refuses larger bodies too; we read it only to find the tool a call names. */
const MAX_BODY_BYTES = 4 * 1024 * 1024
/** Public-key algorithms only: an issuer's JWKS never holds a shared secret. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"]

const rpcBody = (message: string, code = -32000) => ({ jsonrpc: "2.0", error: { code, message }, id: null })

/** A quoted-string of RFC 9110 (WWW-Authenticate parameters). */
const quoted = (s: string): string => `"${s.replace(/["\\]/g, "\\$&")}"`

const bearerToken = (req: IncomingMessage): string | undefined => {
  const h = req.headers.authorization
  return h !== undefined && /^bearer /i.test(h) ? h.slice(7).trim() : undefined
}

const sameSecret = (expected: string, given: string | undefined): boolean => {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** fetch over node:https with the configured CA (the issuer's discovery and JWKS), for jose's customFetch. */
const fetchWithCa = (ca: string): typeof fetch => (input, init) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v))
    const r = https.request(url, { method: init?.method ?? "GET", headers, ca, ...(init?.signal ? { signal: init.signal } : {}) }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        const h = new Headers()
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v)
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502, headers: h }))
      })
      res.on("error", reject)
    })
    r.on("error", reject)
    r.end()
  })

/** The issuer's jwks_uri from its discovery document (OpenID Connect, else RFC 8414). */
const discoverJwks = async (o: OAuthSettings, get: typeof fetch): Promise<URL> => {
  const base = o.issuer.replace(/\/+$/, "")
  const u = new URL(base)
  const candidates = [`${base}/.well-known/openid-configuration`, `${u.origin}/.well-known/oauth-authorization-server${u.pathname.replace(/\/+$/, "")}`]
  const problems: Array<string> = []
  for (const c of candidates) {
    const res = await get(c, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(10_000) })
    if (!res.ok) {
      problems.push(`${c}: HTTP ${res.status}`)
      continue
    }
    const doc: unknown = await res.json()
    const issuer = typeof doc === "object" && doc !== null && "issuer" in doc ? doc.issuer : undefined
    const jwks = typeof doc === "object" && doc !== null && "jwks_uri" in doc ? doc.jwks_uri : undefined
    if (issuer !== o.issuer) throw new Error(`${c} names issuer ${JSON.stringify(issuer)}, not ${JSON.stringify(o.issuer)}`)
    if (typeof jwks !== "string") throw new Error(`${c} has no jwks_uri`)
    return new URL(jwks)
  }
  throw new Error(`no discovery document: ${problems.join("; ")}`)
}

type Verified = { readonly _tag: "Ok"; readonly identity: CallerIdentity } | { readonly _tag: "Bad"; readonly reason: string } | {
  readonly _tag: "Unavailable"
  readonly reason: string
}

const stringList = (v: unknown): ReadonlyArray<string> =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []

/** RFC 9068 `scope` (space-separated), or the `scp` list some issuers use. */
const scopesOf = (p: JWTPayload): ReadonlyArray<string> =>
  typeof p["scope"] === "string" ? p["scope"].split(" ").filter((s) => s !== "") : stringList(p["scp"])

/** The OAuth client the token was issued to (RFC 9068 client_id, else OIDC azp, else the first audience). */
const clientOf = (p: JWTPayload): string =>
  typeof p["client_id"] === "string" ? p["client_id"] : typeof p["azp"] === "string" ? p["azp"] : stringList(p.aud)[0] ?? ""

/** Why a token was refused, in words a person can act on (never the token). */
const badTokenReason = (e: unknown, o: OAuthSettings): string | undefined => {
  if (e instanceof joseErrors.JWTExpired) return "the token has expired (exp)"
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.reason === "missing") return `the token has no ${e.claim} claim`
    switch (e.claim) {
      case "aud":
        return `the token is for another audience (aud), not ${o.audience}`
      case "iss":
        return `the token is from another issuer (iss), not ${o.issuer}`
      case "nbf":
        return "the token is not valid yet (nbf)"
      default:
        return `the token's ${e.claim} claim is not accepted`
    }
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey) return "the token is not signed by a key of the issuer"
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature does not verify"
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted"
  if (e instanceof joseErrors.JWSInvalid || e instanceof joseErrors.JWTInvalid || e instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return "the token is not a valid signed JWT"
  }
  return undefined
}

/** Verifies access tokens of one issuer; its keys are fetched once and again when a token names an unknown `kid`. */
const makeVerifier = (o: OAuthSettings) => {
  const get = o.ca === "" ? fetch : fetchWithCa(o.ca)
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined
  const jwks = () =>
    (keys ??= (o.jwksUrl !== "" ? Promise.resolve(new URL(o.jwksUrl)) : discoverJwks(o, get)).then((url) =>
      // an unknown kid refetches the set, at most every 5 s (a rotated key is picked up, a flood of bogus kids is not)
      createRemoteJWKSet(url, { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 10_000, [customFetch]: get })
    ).catch((e: unknown) => {
      keys = undefined // discovery failed: ask again on the next token
      throw e
    }))
  return (token: string): Promise<Verified> =>
    jwks().then((set) =>
      jwtVerify(token, set, {
        issuer: o.issuer,
        audience: o.audience,
        clockTolerance: Math.round(o.clockSkewMs / 1000),
        algorithms: ALGORITHMS
      })
    ).then(({ payload }): Verified => {
      const user = payload[o.userClaim]
      if (typeof user !== "string" || user === "") {
        return { _tag: "Bad", reason: `the token has no ${o.userClaim} claim naming the user (server.http.oauth.user_claim)` }
      }
      return {
        _tag: "Ok",
        identity: {
          subject: payload.sub ?? user,
          clientId: clientOf(payload),
          user: `${o.userPrefix}${user}`,
          groups: stringList(payload[o.groupsClaim]).map((g) => `${o.groupsPrefix}${g}`),
          scopes: scopesOf(payload),
          token
        }
      }
    }, (e: unknown): Verified => {
      const reason = badTokenReason(e, o)
      return reason !== undefined
        ? { _tag: "Bad", reason }
        : { _tag: "Unavailable", reason: `cannot read the issuer's signing keys: ${e instanceof Error ? e.message : String(e)}` }
    })
}

/** Reads the request body (bounded) and parses it as JSON. */
const readJson = (req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; tooLarge: boolean }> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    // past the limit the rest is read and dropped, so the refusal can still be sent on this connection
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY_BYTES) chunks.push(c)
    })
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) return resolve({ ok: false, tooLarge: true })
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) })
      } catch {
        resolve({ ok: false, tooLarge: false })
      }
    })
    req.on("error", reject)
  })

/** The tools a JSON-RPC message (or batch) calls. */
const calledTools = (body: unknown): ReadonlyArray<string> =>
  (Array.isArray(body) ? body : [body]).flatMap((m) => {
    if (typeof m !== "object" || m === null || !("method" in m) || m.method !== "tools/call" || !("params" in m)) return []
    const params = m.params
    return typeof params === "object" && params !== null && "name" in params && typeof params.name === "string" ? [params.name] : []
  })

export const makeHttpAuth = (http: Settings["http"]): HttpAuthApi => {
  const allow: AuthDecision = { _tag: "Allow", identity: undefined }
  if (http.auth === "none") return { wellKnown: () => undefined, check: () => Effect.succeed(allow) }
  const o = http.oauth
  if (http.auth === "token" || o === undefined) {
    const expected = http.authToken ?? ""
    const refusal: AuthDecision = {
      _tag: "Refuse",
      answer: { status: 401, headers: { "www-authenticate": "Bearer" }, body: rpcBody("Missing or invalid bearer token") }
    }
    return { wellKnown: () => undefined, check: (req) => Effect.succeed(sameSecret(expected, bearerToken(req)) ? allow : refusal) }
  }

  const verify = makeVerifier(o)
  const resourceOf = (req: IncomingMessage): URL => new URL(o.resource !== "" ? o.resource : `http://${req.headers.host ?? "localhost"}/mcp`)
  /** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
  const metadataUrl = (req: IncomingMessage): string => {
    const r = resourceOf(req)
    return `${r.origin}${PRM_PATH}${r.pathname === "/" ? "" : r.pathname}`
  }
  const scopesSupported = [...new Set([...o.readScopes, ...o.writeScopes])]
  type Param = readonly [string, string]
  const challenge = (req: IncomingMessage, extra: ReadonlyArray<Param>): string =>
    `Bearer ${[...extra, ["resource_metadata", metadataUrl(req)] as const].map(([k, v]) => `${k}=${quoted(v)}`).join(", ")}`
  const unauthorized = (req: IncomingMessage, reason: string | undefined): AuthDecision => ({
    _tag: "Refuse",
    answer: {
      status: 401,
      headers: {
        "www-authenticate": challenge(req, [
          ...(reason !== undefined ? [["error", "invalid_token"], ["error_description", reason]] satisfies Array<Param> : []),
          ...(o.readScopes.length > 0 ? [["scope", o.readScopes.join(" ")]] satisfies Array<Param> : [])
        ])
      },
      body: rpcBody(reason === undefined ? "Authorization required: send an OAuth access token (Authorization: Bearer …)" : `Invalid access token: ${reason}`)
    }
  })
  const insufficient = (req: IncomingMessage, needed: ReadonlyArray<string>, what: string): AuthDecision => ({
    _tag: "Refuse",
    answer: {
      status: 403,
      headers: {
        "www-authenticate": challenge(req, [["error", "insufficient_scope"], ["scope", needed.join(" ")], ["error_description", what]])
      },
      body: rpcBody(`Insufficient scope: ${what}`)
    }
  })
  const hasAny = (identity: CallerIdentity, scopes: ReadonlyArray<string>) => scopes.length === 0 || scopes.some((s) => identity.scopes.includes(s))

  const check = (req: IncomingMessage, isWrite: (tool: string) => boolean): Effect.Effect<AuthDecision> =>
    Effect.promise(async (): Promise<AuthDecision> => {
      const token = bearerToken(req)
      if (token === undefined || token === "") return unauthorized(req, undefined)
      const verified = await verify(token)
      if (verified._tag === "Unavailable") {
        return { _tag: "Refuse", answer: { status: 503, headers: { "retry-after": "10" }, body: rpcBody(`Cannot check the access token now: ${verified.reason}`) } }
      }
      if (verified._tag === "Bad") return unauthorized(req, verified.reason)
      const identity = verified.identity
      // a write scope includes reading
      if (o.readScopes.length > 0 && !hasAny(identity, scopesSupported)) {
        return insufficient(req, o.readScopes, `this server needs one of the scopes ${o.readScopes.join(", ")}`)
      }
      if (o.writeScopes.length === 0 || req.method !== "POST" || hasAny(identity, o.writeScopes)) return { _tag: "Allow", identity }
      // the tool a call names is in the body: read it here, the transport gets it parsed
      const body = await readJson(req)
      if (!body.ok) {
        return body.tooLarge
          ? { _tag: "Refuse", answer: { status: 413, headers: {}, body: rpcBody(`Request body larger than ${MAX_BODY_BYTES} bytes`) } }
          : { _tag: "Refuse", answer: { status: 400, headers: {}, body: rpcBody("Parse error: the body is not JSON", -32700) } }
      }
      const writes = calledTools(body.value).filter(isWrite)
      return writes.length > 0
        ? insufficient(req, o.writeScopes, `${writes.join(", ")} can change a cluster and needs one of the scopes ${o.writeScopes.join(", ")}`)
        : { _tag: "Allow", identity, body: body.value }
    })

  const wellKnown = (path: string, req: IncomingMessage): HttpAnswer | undefined => {
    const own = new URL(metadataUrl(req)).pathname
    if (path !== PRM_PATH && path !== own) return undefined
    return {
      status: 200,
      headers: { "cache-control": "max-age=3600" },
      body: {
        resource: resourceOf(req).href,
        authorization_servers: [o.issuer],
        bearer_methods_supported: ["header"],
        ...(scopesSupported.length > 0 ? { scopes_supported: scopesSupported } : {}),
        resource_name: "kube-mcp"
      }
    }
  }
  return { wellKnown, check }
}
