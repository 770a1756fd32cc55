/**
 * identity = "impersonate" only works when the server's own identity may impersonate users and groups on its
 * clusters. Checked once at start-up with SelfSubjectAccessReviews: a server that would fail every call instead
 * refuses to start and says what to grant.
 */
import { Effect, Schema } from "effect"
import { AppSettings } from "../config/appSettings.js"
import { ClusterRegistry } from "../cluster/registry.js"

export class ImpersonationRefused extends Schema.TaggedError<ImpersonationRefused>()("ImpersonationRefused", { message: Schema.String }) {}

const Review = Schema.Struct({ status: Schema.Struct({ allowed: Schema.Boolean }) })
const decodeReview = Schema.decodeUnknownEffect(Schema.fromJsonString(Review))

const RESOURCES = ["users", "groups"] as const

/** Every context the server sees; one that cannot be asked (unreachable) is reported, not held against start-up. */
export const checkImpersonation = Effect.gen(function*() {
  const settings = yield* AppSettings
  if (settings.http.identity !== "impersonate" || !settings.transports.includes("http")) return
  const registry = yield* ClusterRegistry
  const { contexts } = yield* registry.contexts
  const refused: Array<string> = []
  for (const { name } of contexts) {
    const answers = yield* Effect.scoped(Effect.gen(function*() {
      const kube = yield* registry.resolve(name)
      return yield* Effect.forEach(RESOURCES, (resource) =>
        kube.text({
          method: "POST",
          path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: { resourceAttributes: { verb: "impersonate", group: "", resource } }
          }
        }).pipe(Effect.flatMap((body) => Effect.orDie(decodeReview(body))), Effect.map((r) => [resource, r.status.allowed] as const)))
    })).pipe(Effect.result)
    if (answers._tag === "Failure") {
      yield* Effect.logWarning("cannot check the impersonate permission of a context; its calls fail until it answers").pipe(
        Effect.annotateLogs({ context: name, error: answers.failure.message })
      )
      continue
    }
    const missing = answers.success.filter(([, allowed]) => !allowed).map(([resource]) => resource)
    if (missing.length > 0) refused.push(`context "${name}": may not impersonate ${missing.join(" or ")}`)
  }
  if (refused.length > 0) {
    return yield* new ImpersonationRefused({
      message: `server.http.identity = "impersonate", but the server's own identity lacks the impersonate permission (${refused.join("; ")}). ` +
        `Grant it a ClusterRole with verbs ["impersonate"] on resources ["users", "groups"] (deploy/impersonate/ has one), or set identity = "server".`
    })
  }
})
