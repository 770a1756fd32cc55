/**
 * Whose identity the API requests of a tool call carry (`server.http.identity`): the server's own credentials,
 * the server's credentials impersonating the caller, or the caller's own token. The adapter provides
 * `ApiIdentity` around each call; the REST client, the RBAC cache and every path that cannot carry the caller
 * (exec, helm) read it, so no request of a call can fall back to the server's identity unnoticed.
 */
import type { AuthInfo } from "@modelcontextprotocol/server"
import { Context, Effect } from "effect"
import { IdentityUnsupported } from "../errors.js"

/** A caller whose access token was validated (server.http.auth = "oauth"). */
export interface CallerIdentity {
  /** The token's `sub`. */
  readonly subject: string
  /** The OAuth client it was issued to. */
  readonly clientId: string
  /** The user name from `user_claim`, with `user_prefix`. */
  readonly user: string
  /** The groups from `groups_claim`, each with `groups_prefix`. */
  readonly groups: ReadonlyArray<string>
  readonly scopes: ReadonlyArray<string>
  /** The access token itself (passthrough sends it on; never logged). */
  readonly token: string
}

export type IdentityMode = "server" | "impersonate" | "passthrough"

/** How one call's API requests authenticate. */
export type ApiCredentials =
  | { readonly _tag: "Server" }
  | { readonly _tag: "Impersonate"; readonly user: string; readonly groups: ReadonlyArray<string> }
  | { readonly _tag: "Passthrough"; readonly subject: string; readonly user: string; readonly token: string }

const SERVER: ApiCredentials = { _tag: "Server" }

/** The credentials of the call being run; the server's own outside any call (start-up checks, tests). */
export const ApiIdentity = Context.Reference<ApiCredentials>("kube-mcp/ApiIdentity", { defaultValue: () => SERVER })

/** A caller without a validated identity (stdio, auth "none" or "token") acts as the server. */
export const credentialsFor = (mode: IdentityMode, caller: CallerIdentity | undefined): ApiCredentials =>
  caller === undefined || mode === "server"
    ? SERVER
    : mode === "impersonate"
    ? { _tag: "Impersonate", user: caller.user, groups: caller.groups }
    : { _tag: "Passthrough", subject: caller.subject, user: caller.user, token: caller.token }

/** What a cached decision depends on: the same key means the API server sees the same user. */
export const callerKey = (c: ApiCredentials): string =>
  c._tag === "Server"
    ? ""
    : c._tag === "Impersonate"
    ? `impersonate\u0000${c.user}\u0000${[...c.groups].sort().join("\u0000")}`
    : `passthrough\u0000${c.subject}`

/**
 * A path that cannot carry the caller's identity (exec's WebSocket in impersonate mode) refuses explicitly
 * instead of silently running as the server.
 */
export const requireServerIdentity = (context: string, what: string): Effect.Effect<void, IdentityUnsupported> =>
  Effect.gen(function*() {
    const c = yield* ApiIdentity
    if (c._tag === "Server") return
    return yield* new IdentityUnsupported({
      context,
      message: `${what} cannot run with the caller's own identity (server.http.identity = "${c._tag === "Impersonate" ? "impersonate" : "passthrough"}"), ` +
        "and this server does not run it with its own identity instead",
      details: "Use a kube-mcp server whose server.http.identity is \"server\" for this, or kubectl with your own credentials."
    })
  })

/** The SDK's per-request auth info (`req.auth`, seen by handlers as `extra.authInfo`) for a validated caller. */
export const authInfo = (caller: CallerIdentity): AuthInfo => ({
  token: caller.token,
  clientId: caller.clientId,
  scopes: [...caller.scopes],
  extra: { caller }
})

const isCaller = (v: unknown): v is CallerIdentity =>
  typeof v === "object" && v !== null && "subject" in v && typeof v.subject === "string" && "user" in v && typeof v.user === "string" &&
  "groups" in v && Array.isArray(v.groups) && "token" in v && typeof v.token === "string" && "scopes" in v && Array.isArray(v.scopes)

/** The caller an auth info carries, if the HTTP auth put one there. */
export const callerOf = (info: AuthInfo | undefined): CallerIdentity | undefined => {
  const caller = info?.extra?.["caller"]
  return isCaller(caller) ? caller : undefined
}
