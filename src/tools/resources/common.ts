/** What the resources_* tools share: the group/version/kind parameters, object views, scope and verb checks. */
import { Effect, Option, Schema } from "effect"
import { namespaceOr } from "../../kube/scope.js"
import type { KubeApi } from "../../kube/Kube.js"
import { Name, NamespaceParam } from "../params.js"
import { GROUP_PATTERN, type ResourceInfo, resolveKind, typeName, VERSION_PATTERN } from "../../kube/discovery.js"
import {
  AlreadyExists,
  ApiError,
  Conflict,
  Forbidden,
  Invalid,
  InvalidInput,
  type KubeError,
  MetricsUnavailable,
  NotFound,
  Timeout,
  Unauthorized,
  Unavailable
} from "../../errors.js"

export const Group = Schema.String.check(Schema.isMaxLength(253), Schema.isPattern(GROUP_PATTERN)).annotate({
  description: "API group, e.g. \"apps\", \"batch\", \"networking.k8s.io\" or a CRD's group; \"\" or omitted for the core group (Pod, Service, ConfigMap, Secret, ...)"
})
export const Version = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(63), Schema.isPattern(VERSION_PATTERN)).annotate({
  description: "API version within the group, e.g. \"v1\""
})
export const Kind = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100), Schema.isPattern(/^[A-Za-z][A-Za-z0-9]*$/u)).annotate({
  description: "kind, e.g. \"Deployment\" (the plural \"deployments\" or a short name such as \"deploy\" also works)"
})
/** The fields that name one object of any kind; every single-object resources_* tool starts with them. */
export const objectRefFields = {
  group: Schema.optionalKey(Group),
  version: Version,
  kind: Kind,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam)
}

export const DryRun = Schema.Boolean.annotate({
  description: "validate and run admission on the server without persisting anything (dryRun=All); the result shows what would happen"
})
export const FieldManager = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128)).annotate({
  description: "field manager name recorded for server-side apply (default \"kube-mcp\")"
})
export const Force = Schema.Boolean.annotate({
  description: "take ownership of fields another field manager owns instead of failing with a Conflict"
})
/** A manifest: one object, an array of objects, or YAML/JSON text with one or many documents. */
export const Manifest = Schema.Union([
  Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1024 * 1024)).annotate({
    description: "YAML or JSON text; several YAML documents separated by ---"
  }),
  Schema.Record(Schema.String, Schema.Unknown).annotate({ description: "one Kubernetes object" }),
  Schema.Array(Schema.Record(Schema.String, Schema.Unknown)).check(Schema.isMaxLength(200)).annotate({
    description: "several Kubernetes objects"
  })
]).annotate({
  description: "the object(s) to apply: a JSON object with apiVersion, kind and metadata.name, an array of them, " +
    "or YAML/JSON text with one or many documents (a kind: List is expanded)"
})

export const DEFAULT_FIELD_MANAGER = "kube-mcp"

/** Any object the API server returns, kept whole for output. */
export const KubeObject = Schema.Record(Schema.String, Schema.Unknown)
export type KubeObject = typeof KubeObject.Type

export const OwnerReference = Schema.Struct({
  apiVersion: Schema.String,
  kind: Schema.String,
  name: Schema.String,
  uid: Schema.optionalKey(Schema.String),
  controller: Schema.optionalKey(Schema.Boolean)
})
export type OwnerReference = typeof OwnerReference.Type

/** The metadata fields the tools read (decoded from a copy; the object itself stays whole). */
const MetaView = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  uid: Schema.optionalKey(Schema.String),
  resourceVersion: Schema.optionalKey(Schema.String),
  generation: Schema.optionalKey(Schema.Finite),
  creationTimestamp: Schema.optionalKey(Schema.String),
  deletionTimestamp: Schema.optionalKey(Schema.String),
  labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  finalizers: Schema.optionalKey(Schema.Array(Schema.String)),
  ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference))
})
export type MetaView = typeof MetaView.Type
const ObjectView = Schema.Struct({
  apiVersion: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(MetaView)
})
const decodeView = Schema.decodeUnknownOption(ObjectView)

export const metaOf = (obj: unknown): MetaView => {
  const view = decodeView(obj)
  return Option.isSome(view) ? view.value.metadata ?? {} : {}
}
export const typeOf = (obj: unknown): { apiVersion?: string | undefined; kind?: string | undefined } => {
  const view = decodeView(obj)
  return Option.isSome(view) ? { apiVersion: view.value.apiVersion, kind: view.value.kind } : {}
}

export interface GvkInput {
  readonly group?: string | undefined
  readonly version: string
  readonly kind: string
}

export const resolveInput = (cluster: KubeApi, input: GvkInput) =>
  resolveKind({ group: input.group ?? "", version: input.version, kind: input.kind })

/** The namespace a namespaced resource is addressed in (omitted → the context's); undefined for cluster scope. */
export const namespaceFor = (info: ResourceInfo, cluster: KubeApi, namespace: string | undefined): string | undefined =>
  info.namespaced ? namespaceOr(namespace, cluster.info.namespace) : undefined

/** Refuses a verb the resource does not offer (discovery lists them) before any request is made. */
export const requireVerb = (info: ResourceInfo, verb: string, tool: string): Effect.Effect<void, InvalidInput> =>
  info.verbs.includes(verb)
    ? Effect.void
    : Effect.fail(
      new InvalidInput({
        message: `${typeName(info)} does not support "${verb}" (its verbs: ${info.verbs.join(", ") || "none"}), so ${tool} cannot act on it`,
        issues: [{ path: "kind", message: `${info.kind} does not support ${verb}` }]
      })
    )

/** kubectl's reference to an object: deployment.apps/web. */
export const refOf = (info: Pick<ResourceInfo, "kind" | "group">, name: string): string => `${typeName(info)}/${name}`

export const where = (namespace: string | undefined): string => (namespace !== undefined ? ` in namespace "${namespace}"` : "")

/** Same error with a prefix on its message (which object of a manifest) and extra details. */
export const withPrefix = (e: KubeError | InvalidInput, prefix: string, extra?: string): KubeError | InvalidInput => {
  const message = `${prefix}${e.message}`
  const details = [e.details, extra].filter((d) => d !== undefined && d !== "").join(" — ")
  const d = details !== "" ? { details } : {}
  switch (e._tag) {
    case "InvalidInput":
      return new InvalidInput({ message, issues: e.issues, ...d })
    case "Forbidden":
      return new Forbidden({
        context: e.context,
        message,
        ...d,
        ...(e.verb !== undefined ? { verb: e.verb } : {}),
        ...(e.resource !== undefined ? { resource: e.resource } : {}),
        ...(e.namespace !== undefined ? { namespace: e.namespace } : {})
      })
    case "Invalid":
      return new Invalid({ context: e.context, message, causes: e.causes, ...d })
    case "ApiError":
      return new ApiError({ context: e.context, message, code: e.code, ...d, ...(e.reason !== undefined ? { reason: e.reason } : {}) })
    case "NotFound":
      return new NotFound({ context: e.context, message, ...d })
    case "AlreadyExists":
      return new AlreadyExists({ context: e.context, message, ...d })
    case "Conflict":
      return new Conflict({ context: e.context, message, ...d })
    case "Timeout":
      return new Timeout({ context: e.context, message, ...d })
    case "Unavailable":
      return new Unavailable({ context: e.context, message, ...d })
    case "Unauthorized":
      return new Unauthorized({ context: e.context, message, ...d })
    case "MetricsUnavailable":
      return new MetricsUnavailable({ context: e.context, message, ...d })
  }
}
