/**
 * A small JSON client for one context's API server. It owns a keep-alive agent with the context's TLS
 * material, so every call reuses connections, is cancellable (interruption destroys the socket) and
 * reports failures through the single mapping in apiStatus.ts.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Data, Effect, Schedule, type Scope } from "effect"
import * as http from "node:http"
import * as https from "node:https"
import type { KubeError } from "../errors.js"
import { Timeout } from "../errors.js"
import { Telemetry } from "../telemetry/telemetry.js"
import { statusToError, transportError } from "./apiStatus.js"
import { ApiIdentity, type ApiCredentials } from "../auth/identity.js"

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

export interface ApiRequest {
  readonly method?: Method
  readonly path: string
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>
  /** JSON value (serialised) or a pre-serialised string (e.g. YAML). */
  readonly body?: unknown
  readonly contentType?: string
  readonly accept?: string
  /**
   * false: a 429 is the answer, not "retry later" (an eviction refused by a PodDisruptionBudget is a 429 the
   * caller retries on its own schedule). Default true.
   */
  readonly retryTooManyRequests?: boolean
}

export interface RestClient {
  readonly server: string
  readonly text: (req: ApiRequest) => Effect.Effect<string, KubeError>
}

interface Answer {
  readonly status: number
  readonly body: string
  readonly retryAfter: string | undefined
}

/**
 * 429 is the API server's "retry later" (priority & fairness, storage initialising): like client-go, ask
 * again after Retry-After (1 s when absent, at most 5 s), up to 3 more times, all within the one call timeout.
 */
class RetryLater extends Data.TaggedError("RetryLater")<{ readonly answer: Answer }> {}
const retryAfterMs = (answer: Answer): number => {
  const seconds = Number(answer.retryAfter ?? "1")
  return Math.min(Number.isFinite(seconds) && seconds > 0 ? seconds : 1, 5) * 1000
}
const retries: Schedule.Schedule<number, KubeError | RetryLater> = Schedule.recurs(3)
const afterRetryAfter = retries.pipe(
  Schedule.modifyDelay(({ input }) => Effect.succeed(input._tag === "RetryLater" ? retryAfterMs(input.answer) : 0))
)

export const buildPath = (req: ApiRequest): string => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== "") params.set(k, String(v))
  const qs = params.toString()
  return qs === "" ? req.path : `${req.path}?${qs}`
}

const headerRecord = (h: https.RequestOptions["headers"]): http.OutgoingHttpHeaders => {
  const out: http.OutgoingHttpHeaders = {}
  if (h === undefined || isHeaderList(h)) return out
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v
  return out
}
const isHeaderList = (h: NonNullable<https.RequestOptions["headers"]>): h is ReadonlyArray<string> => Array.isArray(h)

/** The server's own credentials, acting as the caller: any impersonation of the kubeconfig's gives way to the caller's. */
const impersonating = (
  base: http.OutgoingHttpHeaders,
  who: Extract<ApiCredentials, { _tag: "Impersonate" }>
): http.OutgoingHttpHeaders => {
  const out: http.OutgoingHttpHeaders = {}
  for (const [k, v] of Object.entries(base)) if (!/^impersonate-/i.test(k)) out[k] = v
  return { ...out, "impersonate-user": who.user, ...(who.groups.length > 0 ? { "impersonate-group": [...who.groups] } : {}) }
}

/** The auth material of a user that mints tokens (exec plugins, auth providers) must be re-read per call. */
const hasDynamicAuth = (kc: KubeConfig): boolean => {
  const user = kc.getCurrentUser()
  return user?.exec !== undefined || user?.authProvider !== undefined
}

/** The client's keep-alive agent lives as long as the scope it is made in (a context's handle). */
export const makeRestClient = (context: string, kc: KubeConfig, timeoutMs: number): Effect.Effect<RestClient, KubeError, Scope.Scope> =>
  Effect.gen(function*() {
    const cluster = kc.getCurrentCluster()
    const server = (cluster?.server ?? "").replace(/\/+$/, "")
    const base = yield* Effect.try({
      try: () => new URL(server),
      catch: () => transportError(context, server || "(none)", new Error(`context "${context}" has no valid cluster server URL`))
    })
    const authOptions = () =>
      Effect.tryPromise({
        try: async () => {
          const opts: https.RequestOptions = {}
          await kc.applyToHTTPSOptions(opts)
          return opts
        },
        catch: (e) => transportError(context, server, e)
      })
    const initial = yield* authOptions()
    const secure = base.protocol === "https:"
    const agentOptions: https.AgentOptions = {
      keepAlive: true,
      maxSockets: 32,
      ...(initial.ca !== undefined ? { ca: initial.ca } : {}),
      ...(initial.cert !== undefined ? { cert: initial.cert } : {}),
      ...(initial.key !== undefined ? { key: initial.key } : {}),
      ...(initial.rejectUnauthorized !== undefined ? { rejectUnauthorized: initial.rejectUnauthorized } : {}),
      ...(initial.servername !== undefined ? { servername: initial.servername } : {})
    }
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => (secure ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true, maxSockets: 32 }))),
      (a) => Effect.sync(() => a.destroy())
    )
    const telemetry = yield* Telemetry
    // passthrough (src/auth): the API server checks a TLS client certificate before the bearer token, so the
    // caller's token travels on connections that present no certificate of the server's: the CA only
    const { cert: _cert, key: _key, ...trustOnly } = agentOptions
    const callerAgent = yield* Effect.acquireRelease(
      Effect.sync(() => (secure ? new https.Agent(trustOnly) : new http.Agent({ keepAlive: true, maxSockets: 32 }))),
      (a) => Effect.sync(() => a.destroy())
    )
    const dynamic = hasDynamicAuth(kc)
    const staticHeaders = headerRecord(initial.headers)
    const staticAuth = initial.auth

    const text = (req: ApiRequest): Effect.Effect<string, KubeError> =>
      Effect.gen(function*() {
        const who = yield* ApiIdentity
        const auth = who._tag === "Passthrough"
          ? { headers: { authorization: `Bearer ${who.token}` }, auth: undefined }
          : dynamic
          ? yield* authOptions()
          : { headers: staticHeaders, auth: staticAuth }
        const method = req.method ?? "GET"
        const path = buildPath(req)
        const payload = req.body === undefined
          ? undefined
          : typeof req.body === "string"
          ? req.body
          : JSON.stringify(req.body)
        const headers: http.OutgoingHttpHeaders = {
          ...(who._tag === "Impersonate" ? impersonating(headerRecord(auth.headers), who) : headerRecord(auth.headers)),
          accept: req.accept ?? "application/json",
          ...(payload !== undefined
            ? { "content-type": req.contentType ?? "application/json", "content-length": Buffer.byteLength(payload) }
            : {})
        }
        const once = Effect.callback<Answer, KubeError>((resume) => {
          const transport = secure ? https : http
          const r = transport.request({
            protocol: base.protocol,
            hostname: base.hostname.replace(/^\[(.*)\]$/, "$1"),
            port: base.port,
            path: base.pathname.replace(/\/$/, "") + path,
            method,
            agent: who._tag === "Passthrough" ? callerAgent : agent,
            headers,
            ...(auth.auth !== undefined ? { auth: auth.auth } : {})
          }, (res) => {
            const chunks: Array<Buffer> = []
            res.on("data", (c: Buffer) => chunks.push(c))
            res.on("end", () =>
              resume(Effect.succeed({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString("utf8"),
                retryAfter: res.headers["retry-after"]
              })))
            res.on("error", (e) => resume(Effect.fail(transportError(context, server, e))))
          })
          r.on("error", (e) => resume(Effect.fail(transportError(context, server, e))))
          if (payload !== undefined) r.write(payload)
          r.end()
          return Effect.sync(() => r.destroy())
        })
        const result = yield* once.pipe(
          Effect.flatMap((answer) =>
            answer.status === 429 && req.retryTooManyRequests !== false ? Effect.fail(new RetryLater({ answer })) : Effect.succeed(answer)
          ),
          Effect.retry({ schedule: afterRetryAfter, while: (e) => e._tag === "RetryLater" }),
          Effect.catchTag("RetryLater", (e) => Effect.succeed(e.answer)),
          Effect.timeoutOrElse({
            duration: timeoutMs,
            orElse: () =>
              Effect.fail(
                new Timeout({
                  context,
                  message: `${method} ${req.path} on context "${context}" did not answer within ${timeoutMs} ms`,
                  details: "Raise kubernetes.timeout (or [contexts.\"name\"] timeout) if this cluster is slow, or check that it is reachable."
                })
              )
          }),
          telemetry.apiRequest(context, method, req.path)
        )
        if (result.status >= 200 && result.status < 300) return result.body
        return yield* Effect.fail(statusToError({ context, method, path: req.path, status: result.status, body: result.body }))
      })

    return { server, text }
  })
