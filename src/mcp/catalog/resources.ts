/**
 * Resources: the contexts (k8s://contexts, what config_contexts_list gives), and any object by URI (uri.ts), read
 * as resources_get reads it: the same kube/ operations, so the same policy (contexts_allow/deny through the
 * registry, denied_resources, allowed_namespaces, require_rbac through Kube.authorize), the same sanitizer
 * (managedFields and last-applied removed, Secret values masked) and the same budget (`[output] max_bytes`).
 */
import { Clock, Effect, Result } from "effect"
import { type AuditRecord, AuditLog } from "../../audit/auditLog.js"
import { auditRecord } from "../../audit/record.js"
import { AppSettings } from "../../config/appSettings.js"
import type { ToolError } from "../../errors.js"
import { listContexts } from "../../kube/contexts.js"
import { typeName } from "../../kube/discovery.js"
import { getShown, refOf, resolveResource } from "../../kube/objects.js"
import { render } from "../../output/budget.js"
import { document } from "../../output/reply.js"
import { onContext, type ToolEnv } from "../../tool/tool.js"
import { type CatalogError, fromToolError, invalidParams, RESOURCE_NOT_FOUND } from "./error.js"
import type { Resource, ResourceTemplate, TextResourceContents } from "./types.js"
import { CLUSTER_OBJECT_TEMPLATE, CONTEXTS_URI, CORE_GROUP, type ObjectUri, objectUri, OBJECT_TEMPLATE, parseUri } from "./uri.js"

/** The operation's name in errors and the audit log. */
const READ = "resources/read"
const YAML = "application/yaml"
const JSON_MIME = "application/json"

const CONTEXTS: Resource = {
  uri: CONTEXTS_URI,
  name: "contexts",
  title: "Kubernetes contexts",
  description: "The kubeconfig contexts this server can reach (name, cluster, user, namespace) and the default one, as JSON: " +
    "what config_contexts_list gives. Each context's objects are read through the k8s://{context}/… templates.",
  mimeType: JSON_MIME
}

export const listResources: Effect.Effect<ReadonlyArray<Resource>, never, ToolEnv> = Effect.succeed([CONTEXTS])

export const resourceTemplates: ReadonlyArray<ResourceTemplate> = [
  {
    uriTemplate: OBJECT_TEMPLATE,
    name: "object",
    title: "Namespaced Kubernetes object",
    description: `One object of a namespaced kind (Deployment, Pod, ConfigMap, a namespaced CRD, …) as YAML, like resources_get: ` +
      `managedFields and the last-applied annotation removed, Secret values masked, cut at the output budget. The core group ` +
      `is written "${CORE_GROUP}", e.g. k8s://dev-cluster/${CORE_GROUP}/v1/ConfigMap/default/app-config or ` +
      "k8s://dev-cluster/apps/v1/Deployment/shop/web; segments are percent-encoded (a context name with \"/\" or \":\").",
    mimeType: YAML
  },
  {
    uriTemplate: CLUSTER_OBJECT_TEMPLATE,
    name: "cluster-object",
    title: "Cluster-scoped Kubernetes object",
    description: `One object of a cluster-scoped kind (Namespace, Node, ClusterRole, CustomResourceDefinition, …) as YAML, ` +
      `read and masked as the namespaced form is, e.g. k8s://dev-cluster/${CORE_GROUP}/v1/Namespace/default or ` +
      "k8s://dev-cluster/rbac.authorization.k8s.io/v1/ClusterRole/view.",
    mimeType: YAML
  }
]

/** Resource reads are reads: audited when the log takes every call (`[audit] include = "all"`). */
const audit = (caller: AuditRecord["caller"], o: ObjectUri | undefined, started: number, error: ToolError | CatalogError | undefined) =>
  Effect.gen(function*() {
    const log = yield* AuditLog
    if (!log.enabled || log.include !== "all") return
    const now = yield* Clock.currentTimeMillis
    const args = o === undefined ? {} : { group: o.group, version: o.version, kind: o.kind, namespace: o.namespace, name: o.name }
    yield* log.record({
      ...auditRecord({
        time: new Date(now).toISOString(),
        caller,
        tool: READ,
        args,
        context: o?.context,
        durationMs: now - started,
        structured: undefined,
        error: error === undefined ? undefined : {
          type: error._tag === "CatalogError" ? "InvalidInput" : error._tag,
          ...(error._tag === "PolicyDenied" ? { rule: error.rule } : {})
        }
      }),
      verb: "read"
    })
  })

/** One object, read and shown as resources_get shows it. */
const readObject = (o: ObjectUri): Effect.Effect<string, ToolError | CatalogError, ToolEnv> =>
  Effect.gen(function*() {
    const settings = yield* AppSettings
    return yield* onContext(o.context, (kube) =>
      Effect.gen(function*() {
        const info = yield* resolveResource(o, "get", READ)
        if (info.namespaced !== (o.namespace !== undefined)) {
          const form = info.namespaced ? OBJECT_TEMPLATE : CLUSTER_OBJECT_TEMPLATE
          return yield* invalidParams(
            `${info.kind} (${typeName(info)}) is ${info.namespaced ? "namespaced" : "cluster-scoped"}: its URI is ${form}, e.g. ` +
              objectUri({ ...o, namespace: info.namespaced ? kube.info.namespace : undefined })
          )
        }
        const shown = yield* getShown({ info, name: o.name, namespace: o.namespace })
        return render(document(shown, "yaml", `resources_get with output "summary" for a compact view of ${refOf(info, o.name)}`), settings.maxBytes).text
      }))
  })

export const readResource = (
  uri: string,
  caller: AuditRecord["caller"]
): Effect.Effect<ReadonlyArray<TextResourceContents>, CatalogError, ToolEnv> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const parsed = parseUri(uri)
    if (Result.isFailure(parsed)) {
      yield* audit(caller, undefined, started, parsed.failure)
      return yield* parsed.failure
    }
    const target = parsed.success
    if (target._tag === "Contexts") {
      const { contexts, current } = yield* listContexts
      const text = JSON.stringify({ contexts: contexts.map((c) => ({ ...c })), current_context: current }, null, 2)
      return [{ uri, mimeType: JSON_MIME, text }]
    }
    const text = yield* readObject(target).pipe(
      Effect.tapError((e) => audit(caller, target, started, e)),
      Effect.tap(() => audit(caller, target, started, undefined)),
      Effect.mapError((e) => (e._tag === "CatalogError" ? e : fromToolError(e, READ, RESOURCE_NOT_FOUND)))
    )
    return [{ uri, mimeType: YAML, text }]
  })
