/**
 * The path of every API action a tool takes: RBAC pre-check (when required), the rate-limited request,
 * then validation of the answer against the Schema of the fields the tool reads.
 */
import { Effect, Schema } from "effect"
import type { AccessCheck, ClusterHandle } from "../cluster/handle.js"
import type { ApiRequest } from "../cluster/restClient.js"
import { ApiError, type KubeError } from "../errors.js"

export const decodeAnswer = <A, I>(schema: Schema.Codec<A, I>, handle: ClusterHandle, what: string) =>
(body: unknown): Effect.Effect<A, KubeError> =>
  Schema.decodeUnknownEffect(schema)(body).pipe(
    Effect.mapError((e) =>
      new ApiError({
        context: handle.info.name,
        code: 200,
        message: `Unexpected answer from the API server for ${what}`,
        details: e.message.slice(0, 500)
      })
    )
  )

export const callJson = <A, I>(
  handle: ClusterHandle,
  check: AccessCheck,
  request: ApiRequest,
  schema: Schema.Codec<A, I>
): Effect.Effect<A, KubeError> =>
  handle.authorize(check).pipe(
    Effect.andThen(handle.json(request)),
    Effect.flatMap(decodeAnswer(schema, handle, request.path))
  )
