/**
 * The path of every API action: RBAC pre-check (when required), the rate-limited request on the context's
 * Kube, then validation of the answer against the Schema of the fields the caller reads.
 */
import { Effect, Schema } from "effect"
import type { ApiRequest } from "../cluster/restClient.js"
import { ApiError, type KubeError } from "../errors.js"
import { type AccessCheck, Kube } from "./Kube.js"

/** Decodes an API answer; a body that does not fit is the server's fault, reported as such. */
export const decodeAnswer = <A, I>(schema: Schema.Codec<A, I>, context: string, what: string) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (body: unknown): Effect.Effect<A, KubeError> =>
    decode(body).pipe(
      Effect.mapError((e) =>
        new ApiError({
          context,
          code: 200,
          message: `Unexpected answer from the API server for ${what}`,
          details: e.message.slice(0, 500)
        })
      )
    )
}

/** An authorized, decoded JSON call on the current context. */
export const callJson = <A, I>(check: AccessCheck, request: ApiRequest, schema: Schema.Codec<A, I>): Effect.Effect<A, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    yield* kube.authorize(check)
    return yield* Effect.flatMap(kube.json(request), decodeAnswer(schema, kube.info.name, request.path))
  })

/** An authorized call on the current context whose answer is read as text (logs, YAML). */
export const callText = (check: AccessCheck, request: ApiRequest): Effect.Effect<string, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    yield* kube.authorize(check)
    return yield* kube.text(request)
  })
