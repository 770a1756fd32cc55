/**
 * Every failure a tool can report. Each error carries the context (cluster) it concerns, a one-line
 * message a person can act on, and optional details; the tool kit maps them once to
 * `{ error: { type, message, details, cluster, tool, ... } }` (tool/errorResult.ts), encoding each through its
 * own class's Schema. Each class's `description` annotation is its entry in docs/tools.md ("## Errors").
 */
import { Schema } from "effect"

/**
 * Where in a multi-document manifest a failure happened (resources_apply, resources_diff), and what became of
 * the other documents. A field of the error rather than part of its message; the text view renders it as
 * "Kind/name (document 2 of 3): " before the message and `others` after the details.
 */
export const ManifestPosition = Schema.Struct({
  index: Schema.Finite.annotate({ description: "1-based position of the failing document in the manifest" }),
  total: Schema.Finite.annotate({ description: "documents in the manifest" }),
  kind: Schema.String,
  name: Schema.String,
  others: Schema.optional(Schema.String.annotate({ description: "what became of the documents before and after it" }))
})
export type ManifestPosition = typeof ManifestPosition.Type

const contextual = {
  context: Schema.String,
  message: Schema.String,
  details: Schema.optional(Schema.String)
}
/** The fields every error of an API call has. */
const common = { ...contextual, document: Schema.optional(ManifestPosition) }

export class UnknownContext extends Schema.TaggedError<UnknownContext>()("UnknownContext", {
  ...contextual,
  available: Schema.Array(Schema.String)
}, { description: "`context` names no known context; `available` lists the contexts that exist." }) {}

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  ...common,
  verb: Schema.optional(Schema.String),
  /** Plural, with "/subresource" when there is one (pods/exec). */
  resource: Schema.optional(Schema.String),
  /** API group; "" is the core group. */
  group: Schema.optional(Schema.String),
  namespace: Schema.optional(Schema.String)
}, {
  description:
    "the context's user may not do this; `verb`, `resource` and `namespace` say what was refused (by the RBAC pre-check when `require_rbac` is on, else by the API server)."
}) {}

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", common, {
  description: "the object, or its kind/API, does not exist on that cluster."
}) {}

export class AlreadyExists extends Schema.TaggedError<AlreadyExists>()("AlreadyExists", common, {
  description: "an object with that name already exists."
}) {}

export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", common, {
  description: "another field manager owns the fields (server-side apply without `force`) or the object changed meanwhile."
}) {}

export const FieldCause = Schema.Struct({
  field: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  message: Schema.String
})
export type FieldCause = typeof FieldCause.Type

export class Invalid extends Schema.TaggedError<Invalid>()("Invalid", {
  ...common,
  causes: Schema.Array(FieldCause)
}, { description: "the API server rejected the object; `causes` lists the field errors." }) {}

export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", common, {
  description: "the API server did not answer within the context's timeout (`kubernetes.timeout`), or a wait (resources_wait, rollout_status with `wait`) ended before what it waited for happened; `details` then says the last state seen."
}) {}

export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", common, {
  description: "the cluster could not be reached (connection refused, DNS, TLS) or answered 503."
}) {}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", common, {
  description: "the context's credentials were rejected (expired token, wrong certificate); log in again."
}) {}

export class MetricsUnavailable extends Schema.TaggedError<MetricsUnavailable>()("MetricsUnavailable", common, {
  description: "the cluster does not serve metrics.k8s.io (no metrics-server), or its backend does not answer."
}) {}

export class PolicyDenied extends Schema.TaggedError<PolicyDenied>()("PolicyDenied", {
  ...common,
  rule: Schema.String.annotate({ description: "the configuration key that refuses it: denied_resources or allowed_namespaces" }),
  verb: Schema.optional(Schema.String),
  resource: Schema.optional(Schema.String),
  namespace: Schema.optional(Schema.String)
}, {
  description:
    "the server's policy for that context refuses the request (`rule` names the key: denied_resources, allowed_namespaces); nothing was sent to the cluster."
}) {}

/** Any other non-2xx answer of the API server (e.g. 429, 500), with its code and reason. */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", {
  ...common,
  code: Schema.Finite,
  reason: Schema.optional(Schema.String)
}, { description: "any other failed answer of the API server (e.g. 429, 500); `code` and `reason` carry its status." }) {}

export class ReadOnly extends Schema.TaggedError<ReadOnly>()("ReadOnly", {
  message: Schema.String,
  details: Schema.optional(Schema.String)
}, { description: "the tool can change a cluster and read-only mode (global or for that context) forbids it." }) {}

export const InputIssue = Schema.Struct({ path: Schema.String, message: Schema.String })
export type InputIssue = typeof InputIssue.Type

export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String,
  details: Schema.optional(Schema.String),
  issues: Schema.Array(InputIssue),
  document: Schema.optional(ManifestPosition)
}, {
  description:
    "the arguments do not match the tool's input schema (unknown parameter, wrong type, out of range); `issues` lists path and message."
}) {}

export class Declined extends Schema.TaggedError<Declined>()("Declined", contextual, {
  description: "the user declined (or dismissed) the confirmation a destructive call on a `confirm_destructive` context asked for; nothing was done."
}) {}

export class ConfirmationRequired extends Schema.TaggedError<ConfirmationRequired>()("ConfirmationRequired", contextual, {
  description:
    "the context has `confirm_destructive` and this client cannot ask the user (no MCP elicitation, or no answer in time); nothing was done. `details` says how to proceed."
}) {}

export class NoContextAnswered extends Schema.TaggedError<NoContextAnswered>()("NoContextAnswered", {
  message: Schema.String,
  details: Schema.optional(Schema.String),
  failures: Schema.Array(Schema.Struct({ context: Schema.String, type: Schema.String, message: Schema.String }))
}, {
  description: "a call with `contexts` where none of the selected contexts answered; `failures` says why each one failed."
}) {}

export class HelmUnavailable extends Schema.TaggedError<HelmUnavailable>()("HelmUnavailable", contextual, {
  description:
    "a helm write tool (install, upgrade, rollback, uninstall) found no `helm` binary: none on PATH and no `[helm] binary` configured, or the configured one is missing or not executable. Install helm (https://helm.sh/docs/intro/install/) or set `[helm] binary`; the helm read tools need no binary."
}) {}

export class HelmFailed extends Schema.TaggedError<HelmFailed>()("HelmFailed", {
  ...contextual,
  exit_code: Schema.optional(Schema.Finite.annotate({ description: "the helm process's exit code" })),
  command: Schema.optional(Schema.String.annotate({ description: "the helm command that ran, without its kubeconfig and values file" }))
}, {
  description: "the `helm` command ran and failed (chart not found, template error, resources refused by the cluster…); `details` holds what helm printed on stderr."
}) {}

export class IdentityUnsupported extends Schema.TaggedError<IdentityUnsupported>()("IdentityUnsupported", common, {
  description:
    "the server acts with each caller's own identity (`server.http.identity` impersonate or passthrough) and this operation (exec, helm writes) cannot carry it; it is refused rather than run with the server's identity."
}) {}

/** Errors of a call that reached (or tried to reach) a cluster's API server. */
const kubeErrors = [Forbidden, PolicyDenied, NotFound, AlreadyExists, Conflict, Invalid, Timeout, Unavailable, Unauthorized, MetricsUnavailable, ApiError, IdentityUnsupported] as const
export const KubeError = Schema.Union(kubeErrors)
export type KubeError = typeof KubeError.Type

/** Everything a tool handler may fail with, in the order docs/tools.md lists them. */
export const ToolError = Schema.Union([
  UnknownContext,
  ...kubeErrors,
  HelmUnavailable,
  HelmFailed,
  ReadOnly,
  Declined,
  ConfirmationRequired,
  InvalidInput,
  NoContextAnswered
])
export type ToolError = typeof ToolError.Type

const DocumentError = Schema.Union([...kubeErrors, InvalidInput])
const encodeDocumentError = Schema.encodeSync(DocumentError)
const decodeDocumentError = Schema.decodeSync(DocumentError)

/** The same error, placed at one document of a manifest (a new instance: errors may be shared, e.g. cached denials). */
export const atDocument = (e: KubeError | InvalidInput, document: ManifestPosition): KubeError | InvalidInput =>
  decodeDocumentError({ ...encodeDocumentError(e), document })
