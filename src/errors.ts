/**
 * Every failure a tool can report. Each error carries the context (cluster) it concerns, a one-line
 * message a person can act on, and optional details; the MCP adapter maps them once to
 * `{ error: { type, message, details, cluster, tool } }` (see mcp/errorResult.ts).
 */
import { Schema } from "effect"

const common = {
  context: Schema.String,
  message: Schema.String,
  details: Schema.optional(Schema.String)
}

export class UnknownContext extends Schema.TaggedError<UnknownContext>()("UnknownContext", {
  ...common,
  available: Schema.Array(Schema.String)
}) {}

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  ...common,
  verb: Schema.optional(Schema.String),
  /** Plural, with "/subresource" when there is one (pods/exec). */
  resource: Schema.optional(Schema.String),
  /** API group; "" is the core group. */
  group: Schema.optional(Schema.String),
  namespace: Schema.optional(Schema.String)
}) {}

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", common) {}
export class AlreadyExists extends Schema.TaggedError<AlreadyExists>()("AlreadyExists", common) {}
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", common) {}

export const FieldCause = Schema.Struct({
  field: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  message: Schema.String
})
export type FieldCause = typeof FieldCause.Type

export class Invalid extends Schema.TaggedError<Invalid>()("Invalid", {
  ...common,
  causes: Schema.Array(FieldCause)
}) {}

export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", common) {}
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", common) {}
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", common) {}
export class MetricsUnavailable extends Schema.TaggedError<MetricsUnavailable>()("MetricsUnavailable", common) {}

/** Any other non-2xx answer of the API server (e.g. 429, 500), with its code and reason. */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", {
  ...common,
  code: Schema.Finite,
  reason: Schema.optional(Schema.String)
}) {}

export class ReadOnly extends Schema.TaggedError<ReadOnly>()("ReadOnly", {
  message: Schema.String,
  details: Schema.optional(Schema.String)
}) {}

export const InputIssue = Schema.Struct({ path: Schema.String, message: Schema.String })
export type InputIssue = typeof InputIssue.Type

export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String,
  details: Schema.optional(Schema.String),
  issues: Schema.Array(InputIssue)
}) {}

/** Errors of a call that reached (or tried to reach) a cluster's API server. */
export type KubeError =
  | Forbidden
  | NotFound
  | AlreadyExists
  | Conflict
  | Invalid
  | Timeout
  | Unavailable
  | Unauthorized
  | MetricsUnavailable
  | ApiError

/** Everything a tool handler may fail with. */
export type ToolError = KubeError | UnknownContext | ReadOnly | InvalidInput
