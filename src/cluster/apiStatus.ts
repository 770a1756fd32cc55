/**
 * The one mapping from API-server answers and transport failures to typed errors: every REST call, the exec
 * upgrade and the tests' fake server go through `statusToError`.
 */
import { Schema } from "effect"
import {
  AlreadyExists,
  ApiError,
  Conflict,
  type FieldCause,
  Forbidden,
  Invalid,
  type KubeError,
  NotFound,
  Timeout,
  Unauthorized,
  Unavailable
} from "../errors.js"

/** The fields of a metav1.Status body that the mapping reads. */
/** A metav1.Status: an API error's body, and the exec stream's final frame. */
export const StatusBody = Schema.Struct({
  kind: Schema.optionalKey(Schema.String),
  status: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  reason: Schema.optionalKey(Schema.String),
  code: Schema.optionalKey(Schema.Finite),
  details: Schema.optionalKey(Schema.Struct({
    name: Schema.optionalKey(Schema.String),
    kind: Schema.optionalKey(Schema.String),
    causes: Schema.optionalKey(Schema.Array(Schema.Struct({
      field: Schema.optionalKey(Schema.String),
      reason: Schema.optionalKey(Schema.String),
      message: Schema.optionalKey(Schema.String)
    })))
  }))
})
const decodeStatus = Schema.decodeUnknownOption(Schema.fromJsonString(StatusBody))

export interface FailedCall {
  readonly context: string
  readonly method: string
  readonly path: string
  readonly status: number
  readonly body: string
}

/** What a request path names, as RBAC sees it. */
export interface RequestAttributes {
  readonly verb: string
  readonly group: string
  readonly resource: string
  readonly namespace?: string
  readonly name?: string
}

/** Subresources of a Namespace object itself (/api/v1/namespaces/{name}/status), not namespaced resources. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"])

/**
 * RBAC's view of a REST call (the apiserver's RequestInfo rules): /api/v1/… is the core group,
 * /apis/{group}/{version}/… a named one; a GET without a name is a list, a DELETE without one a deletecollection.
 */
export const requestAttributes = (method: string, path: string): RequestAttributes | undefined => {
  const parts = path.split("?")[0]?.split("/").filter((p) => p !== "").map(decodeURIComponent) ?? []
  let rest: Array<string>
  let group: string
  if (parts[0] === "api" && parts.length >= 3) {
    group = ""
    rest = parts.slice(2)
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1] ?? ""
    rest = parts.slice(3)
  } else {
    return undefined
  }
  let namespace: string | undefined
  if (rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2] ?? ""))) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  const [resource, name, subresource] = rest
  if (resource === undefined) return undefined
  const collection = name === undefined
  const verb = method === "GET"
    ? (collection ? "list" : "get")
    : method === "DELETE"
    ? (collection ? "deletecollection" : "delete")
    : ({ POST: "create", PUT: "update", PATCH: "patch" })[method] ?? method.toLowerCase()
  return {
    verb,
    group,
    resource: subresource !== undefined ? `${resource}/${subresource}` : resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {})
  }
}

export const statusToError = ({ body, context, method, path, status }: FailedCall): KubeError => {
  const parsed = decodeStatus(body)
  const s = parsed._tag === "Some" ? parsed.value : undefined
  const message = s?.message ?? (body.trim().slice(0, 300) || `HTTP ${status}`)
  const reason = s?.reason
  const code = s?.code ?? status
  const common = { context, message }
  if (code === 401 || reason === "Unauthorized") {
    return new Unauthorized({ ...common, details: "The credentials of this context were rejected; refresh them (e.g. log in again)." })
  }
  if (code === 403 || reason === "Forbidden") {
    const attrs = requestAttributes(method, path)
    return new Forbidden({
      ...common,
      details: "RBAC denied the request for this context's user.",
      ...(attrs !== undefined
        ? {
          verb: attrs.verb,
          resource: attrs.resource,
          group: attrs.group,
          ...(attrs.namespace !== undefined ? { namespace: attrs.namespace } : {})
        }
        : {})
    })
  }
  if (code === 404 || reason === "NotFound") return new NotFound({ ...common, details: `${method} ${path}` })
  if (reason === "AlreadyExists") return new AlreadyExists(common)
  if (code === 409 || reason === "Conflict") {
    return new Conflict({ ...common, details: "Another writer owns these fields or changed the object; re-read it, or use force for server-side apply." })
  }
  if (code === 422 || reason === "Invalid" || reason === "BadRequest" || code === 400) {
    const causes: Array<FieldCause> = (s?.details?.causes ?? []).map((c) => ({
      message: c.message ?? "",
      ...(c.field !== undefined ? { field: c.field } : {}),
      ...(c.reason !== undefined ? { reason: c.reason } : {})
    }))
    return new Invalid({
      ...common,
      causes,
      ...(causes.length > 0 ? { details: causes.map((c) => `${c.field ?? ""}: ${c.message}`).join("; ") } : {})
    })
  }
  if (code === 504 || reason === "Timeout" || reason === "ServerTimeout") return new Timeout(common)
  if (code === 503) return new Unavailable({ ...common, details: "The API server answered 503 (service unavailable)." })
  // the causes say why (an eviction's 429 names the PodDisruptionBudget that refused it)
  const causes = (s?.details?.causes ?? []).flatMap((c) => (c.message !== undefined && c.message !== "" ? [c.message] : []))
  return (code === 500 ? typedPatchError(context, message) : undefined) ??
    new ApiError({ ...common, code, ...(reason !== undefined ? { reason } : {}), ...(causes.length > 0 ? { details: causes.join("; ") } : {}) })
}

/**
 * The API server answers 500 when an applied object does not fit the kind's schema (an unknown field):
 * "failed to create typed patch object (ns/name; apps/v1, Kind=Deployment): .spec.replicaz: field not declared
 * in schema". That is the caller's field error, so it is Invalid with the field.
 */
const typedPatchError = (context: string, message: string): Invalid | undefined => {
  const m = /failed to create typed patch object \([^)]*\): (\S+): (.+)$/.exec(message)
  if (m === null) return undefined
  const field = (m[1] ?? "").replace(/^\./, "")
  const reason = m[2] ?? ""
  return new Invalid({
    context,
    message,
    causes: [{ field, message: reason, reason: "FieldValueInvalid" }],
    details: `${field}: ${reason} (check the spelling and the nesting of the field)`
  })
}

/** Socket-level failures: the cluster could not be reached at all. */
export const transportError = (context: string, server: string, cause: unknown): KubeError => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : ""
  const text = cause instanceof Error ? cause.message : String(cause)
  if (code === "ETIMEDOUT") return new Timeout({ context, message: `Connecting to ${server} timed out`, details: text })
  return new Unavailable({
    context,
    message: `Cluster API server ${server} is unreachable${code !== "" ? ` (${code})` : ""}`,
    details: text
  })
}
