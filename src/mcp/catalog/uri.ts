/**
 * The k8s:// URIs of the catalog's resources. One object is
 *   k8s://{context}/{group}/{version}/{kind}/{namespace}/{name}   (namespaced kinds)
 *   k8s://{context}/{group}/{version}/{kind}/{name}               (cluster-scoped kinds)
 * with the core group written `core` (an empty path segment would be lost by many URI libraries), and every
 * segment percent-encoded as RFC 6570 simple expansion does: a context named "arn:aws:eks:…:cluster/prod" stays one
 * segment. k8s://contexts is the list of contexts. Parsing states the rule that a bad URI breaks.
 */
import { Result } from "effect"
import { GROUP_PATTERN, VERSION_PATTERN } from "../../kube/discovery.js"
import { type CatalogError, invalidParams } from "./error.js"

export const SCHEME = "k8s://"
export const CONTEXTS_URI = `${SCHEME}contexts`
export const OBJECT_TEMPLATE = `${SCHEME}{context}/{group}/{version}/{kind}/{namespace}/{name}`
export const CLUSTER_OBJECT_TEMPLATE = `${SCHEME}{context}/{group}/{version}/{kind}/{name}`
/** How the core group ("" in the API) is written in a URI. */
export const CORE_GROUP = "core"

const KIND_PATTERN = /^[A-Za-z][A-Za-z0-9]*$/u
/** A namespace is a DNS label. */
const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u
/** Context names are the kubeconfig's (any text); names of objects are up to 253 characters, without "/". */
const MAX_CONTEXT = 253
const MAX_NAME = 253
const MAX_URI = 2048

export interface ObjectUri {
  readonly _tag: "Object"
  readonly context: string
  /** "" is the core group. */
  readonly group: string
  readonly version: string
  readonly kind: string
  /** undefined: the cluster-scoped form. */
  readonly namespace: string | undefined
  readonly name: string
}

export type ParsedUri = { readonly _tag: "Contexts" } | ObjectUri

const FORMS = `${CONTEXTS_URI}, ${OBJECT_TEMPLATE} (namespaced kinds) or ${CLUSTER_OBJECT_TEMPLATE} (cluster-scoped kinds)`

const bad = (uri: string, rule: string): CatalogError =>
  invalidParams(`Invalid resource URI ${JSON.stringify(uri.length > 200 ? `${uri.slice(0, 200)}…` : uri)}: ${rule}`, { forms: FORMS })

const segment = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

export const parseUri = (uri: string): Result.Result<ParsedUri, CatalogError> => {
  if (uri.length > MAX_URI) return Result.fail(bad(uri, `a URI is at most ${MAX_URI} characters`))
  if (!uri.startsWith(SCHEME)) return Result.fail(bad(uri, `resource URIs start with ${SCHEME}; the forms are ${FORMS}`))
  const rest = uri.slice(SCHEME.length)
  if (/[?#]/u.test(rest)) return Result.fail(bad(uri, "no query or fragment is allowed"))
  if (rest === "contexts") return Result.succeed({ _tag: "Contexts" })
  const raw = rest.split("/")
  if (raw.length !== 5 && raw.length !== 6) {
    return Result.fail(bad(uri, `an object's URI has 5 segments after ${SCHEME} (cluster-scoped kinds) or 6 (namespaced kinds), got ${raw.length}; the forms are ${FORMS}`))
  }
  const names = ["context", "group", "version", "kind", ...(raw.length === 6 ? ["namespace"] : []), "name"]
  const parts: Array<string> = []
  for (const [i, r] of raw.entries()) {
    const value = segment(r)
    const name = names[i] ?? "segment"
    if (value === undefined) return Result.fail(bad(uri, `{${name}} is not valid percent-encoding`))
    if (value === "") {
      return Result.fail(bad(uri, name === "group" ? `{group} is empty: write "${CORE_GROUP}" for the core group` : `{${name}} is empty`))
    }
    parts.push(value)
  }
  const [context = "", groupText = "", version = "", kind = ""] = parts
  const namespace = parts.length === 6 ? parts[4] : undefined
  const name = parts[parts.length - 1] ?? ""
  const group = groupText === CORE_GROUP ? "" : groupText
  if (context.length > MAX_CONTEXT) return Result.fail(bad(uri, `{context} is at most ${MAX_CONTEXT} characters`))
  if (!GROUP_PATTERN.test(group) || group.length > 253) {
    return Result.fail(bad(uri, `{group} must be "${CORE_GROUP}" or an API group such as "apps" or "networking.k8s.io" (lower-case DNS subdomain)`))
  }
  if (!VERSION_PATTERN.test(version) || version.length > 63) return Result.fail(bad(uri, `{version} must be an API version such as "v1" or "v1beta1"`))
  if (!KIND_PATTERN.test(kind) || kind.length > 100) return Result.fail(bad(uri, `{kind} must be a kind such as "Deployment" (letters and digits)`))
  if (namespace !== undefined && (!NAMESPACE_PATTERN.test(namespace) || namespace.length > 63)) {
    return Result.fail(bad(uri, "{namespace} must be a namespace name (lower-case DNS label, at most 63 characters)"))
  }
  if (name.length > MAX_NAME) return Result.fail(bad(uri, `{name} is at most ${MAX_NAME} characters`))
  // the API server refuses them too; refused here, they never become a path segment
  if (name === "." || name === "..") return Result.fail(bad(uri, `{name} cannot be "." or ".."`))
  return Result.succeed({ _tag: "Object", context, group, version, kind, namespace, name })
}

/** The URI of one object (segments percent-encoded; the core group as `core`). */
export const objectUri = (o: Omit<ObjectUri, "_tag">): string =>
  SCHEME + [o.context, o.group === "" ? CORE_GROUP : o.group, o.version, o.kind, ...(o.namespace !== undefined ? [o.namespace] : []), o.name]
    .map(encodeURIComponent)
    .join("/")
