/** resources_get: one object of any kind, as YAML (default), JSON or a compact summary. */
import { Effect, Option, Schema } from "effect"
import { access, type KubeApi } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { type ResourceInfo, resourcePath } from "../../kube/discovery.js"
import { age } from "../../kube/meta.js"
import { isRecord, isSecret, optionsOf, sanitizeObject } from "../../output/sanitize.js"
import { document, ObjectOutput, type Reply } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { KubeObject, metaOf, namespaceFor, objectRefFields, refOf, requireVerb, resolveInput } from "./common.js"
import { cellText, decodeTable, TABLE_ACCEPT, tableColumns } from "./list.js"

const Params = Schema.Struct({
  ...objectRefFields,
  output: Schema.optionalKey(Schema.Literals(["yaml", "json", "summary"]).annotate({
    description: "yaml (default): the whole object with managedFields and the last-applied annotation removed and Secret " +
      "values masked; json: the same as JSON; summary: kubectl get's columns plus labels, owner, conditions and data keys"
  }))
})

/** GET of one object, decoded whole; shared by the tools that read before they act. */
export const getObject = (cluster: KubeApi, info: ResourceInfo, name: string, namespace: string | undefined) =>
  callJson(access({ verb: "get", group: info.group, resource: info.resource, namespace, name }),
    { path: resourcePath(info, { namespace, name }) },
    KubeObject
  )

const Conditions = Schema.Struct({
  status: Schema.optionalKey(Schema.Struct({
    phase: Schema.optionalKey(Schema.String),
    conditions: Schema.optionalKey(Schema.Array(Schema.Struct({
      type: Schema.String,
      status: Schema.String,
      reason: Schema.optionalKey(Schema.String),
      message: Schema.optionalKey(Schema.String)
    })))
  }))
})
const decodeConditions = Schema.decodeUnknownOption(Conditions)

/** "Available=True (MinimumReplicasAvailable)" lines, and the phase, when the object has them. */
export const statusLines = (obj: unknown): { phase?: string; conditions?: Array<string> } => {
  const s = decodeConditions(obj)
  if (Option.isNone(s) || s.value.status === undefined) return {}
  const { conditions, phase } = s.value.status
  return {
    ...(phase !== undefined ? { phase } : {}),
    ...(conditions !== undefined && conditions.length > 0
      ? {
        conditions: conditions.map((c) =>
          `${c.type}=${c.status}${c.reason !== undefined && c.reason !== "" ? ` (${c.reason})` : ""}${
            c.message !== undefined && c.message !== "" && c.status !== "True" ? `: ${c.message}` : ""
          }`
        )
      }
      : {})
  }
}

/** Keys of a top-level data map with their sizes (Secret values masked by the sanitized object already). */
const dataKeys = (obj: Record<string, unknown>, secret: boolean): Record<string, string> | undefined => {
  const data = obj["data"]
  if (!isRecord(data)) return undefined
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, secret || typeof v !== "string" ? cellText(v) : `${Buffer.byteLength(v)} bytes`])
  )
}

const summarize = (cluster: KubeApi, info: ResourceInfo, name: string, namespace: string | undefined) =>
  Effect.gen(function*() {
    const answer = yield* callJson(access({ verb: "get", group: info.group, resource: info.resource, namespace, name }),
      { path: resourcePath(info, { namespace, name }), query: { includeObject: "Object" }, accept: TABLE_ACCEPT },
      KubeObject
    )
    const t = decodeTable(answer)
    // with includeObject=Object the row carries the whole object; without Table support the answer is the object
    const rawRow = Option.isSome(t) ? answer["rows"] : undefined
    const firstRow = Array.isArray(rawRow) ? rawRow[0] : undefined
    const rawObject = Option.isSome(t) ? (isRecord(firstRow) && isRecord(firstRow["object"]) ? firstRow["object"] : {}) : answer
    const obj = sanitizeObject(rawObject, optionsOf(cluster), info.kind)
    const m = metaOf(obj)
    const columns: Record<string, string> = {}
    if (Option.isSome(t)) {
      const { indexes, names } = tableColumns(t.value)
      const cells = t.value.rows[0]?.cells ?? []
      names.forEach((n, i) => {
        if (n !== "name" && n !== "age") columns[n] = cellText(cells[indexes[i] ?? -1])
      })
    }
    const owner = m.ownerReferences?.find((o) => o.controller === true) ?? m.ownerReferences?.[0]
    const data = dataKeys(obj, isSecret(obj, info.kind))
    return {
      kind: info.kind,
      apiVersion: info.apiVersion,
      name: m.name ?? name,
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      age: age(m.creationTimestamp),
      ...(m.creationTimestamp !== undefined ? { created: m.creationTimestamp } : {}),
      ...columns,
      ...statusLines(obj),
      ...(m.labels !== undefined ? { labels: m.labels } : {}),
      ...(m.annotations !== undefined ? { annotations: m.annotations } : {}),
      ...(owner !== undefined ? { owner: `${owner.kind}/${owner.name}` } : {}),
      ...(m.deletionTimestamp !== undefined ? { deleting_since: m.deletionTimestamp } : {}),
      ...(m.finalizers !== undefined && m.finalizers.length > 0 ? { finalizers: m.finalizers } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {})
    }
  })

export const resourcesGet = clusterTool({
  name: "resources_get",
  description: "Get one object of any kind (built-in or CRD) by group/version/kind and name. Default output is the whole " +
    "object as YAML, like kubectl get -o yaml but with metadata.managedFields and the last-applied annotation removed " +
    "and Secret values masked (keys and sizes kept). output \"summary\" gives a compact view: kubectl's columns for the " +
    "kind, labels, owner, conditions and data keys; output \"json\" the object as JSON.",
  params: Params,
  output: ObjectOutput,
  annotations: { title: "Get a resource", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const info = yield* resolveInput(cluster, input)
      yield* requireVerb(info, "get", "resources_get")
      const namespace = namespaceFor(info, cluster, input.namespace)
      const output = input.output ?? "yaml"
      if (output === "summary") {
        const reply: Reply = document(yield* summarize(cluster, info, input.name, namespace), "yaml")
        return reply
      }
      const obj = yield* getObject(cluster, info, input.name, namespace)
      const reply: Reply = document(
        sanitizeObject(obj, optionsOf(cluster), info.kind),
        output,
        `output "summary" for a compact view of ${refOf(info, input.name)}`
      )
      return reply
    })
})
