/**
 * resources_compare: one object, or every object of a kind in a namespace, as two or more contexts hold it;
 * the fields that differ, with each context's value (kube/compare.ts decides what is server noise).
 */
import { Effect, Schema } from "effect"
import { InvalidInput, type KubeError, NotFound } from "../../errors.js"
import { fieldDifferences } from "../../kube/compare.js"
import { getObject, type KubeObject, listAllObjects, metaOf, refOf, resolveTarget } from "../../kube/objects.js"
import { table, TableOutput } from "../../output/reply.js"
import { contextFailure } from "../../tool/errorResult.js"
import { ContextsParam, noContextAnswered, selectContexts } from "../../tool/fanout.js"
import { fleetTool } from "../../tool/tool.js"
import { gvkFields, LabelSelector, Name, NamespaceParam } from "../params.js"

const TOOL = "resources_compare"
/** Objects read per context when comparing a whole kind. */
export const MAX_COMPARE_OBJECTS = 2000

const Params = Schema.Struct({
  contexts: ContextsParam.annotate({
    description: "the contexts to compare: at least two names or glob patterns, e.g. [\"dev-cluster\", \"prod-cluster\"] or [\"prod-*\"]"
  }),
  ...gvkFields,
  name: Schema.optionalKey(Name.annotate({
    description: "the object to compare; omit to compare every object of the kind in the namespace (narrow with label_selector)"
  })),
  namespace: Schema.optionalKey(NamespaceParam.annotate({ description: "namespace in every context; omit for each context's own namespace" })),
  namespaces: Schema.optionalKey(Schema.Record(Schema.String, NamespaceParam).annotate({
    description: "per-context namespace overriding `namespace`, e.g. {\"prod-cluster\": \"production\"} to compare \"default\" on dev with \"production\" on prod"
  })),
  label_selector: Schema.optionalKey(LabelSelector.annotate({ description: "without name: compare only the objects matching this label selector" })),
  base: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253)).annotate({
    description: "the context the others are compared with (its column comes first); default: the first context named in `contexts`"
  }))
})

const NOISE_NOTE = "ignored as set by each cluster: status, uid, resourceVersion, generation, managedFields, creationTimestamp, " +
  "namespace, owner uids, revision and last-applied annotations, Service cluster IPs, Pod node, PVC volume; Secret values compared by digest"

/** A value cell: strings unquoted, everything else as compact JSON, long ones cut. */
const cell = (json: string | undefined): string => {
  if (json === undefined) return "<absent>"
  const shown = json.startsWith("\"") ? String(JSON.parse(json)) : json
  return shown.length > 120 ? `${shown.slice(0, 117)}...` : shown
}

const invalid = (path: string, message: string) => new InvalidInput({ message: `Invalid arguments for ${TOOL}: ${message}`, issues: [{ path, message }] })

export const resourcesCompare = fleetTool({
  name: TOOL,
  description: "Compare one object (name given) or every object of a kind in a namespace (no name; label_selector narrows) " +
    "across two or more contexts. Answers only the fields that differ, one row per field with each context's value, the " +
    "base context first; objects that exist in some contexts only are listed as such. Fields each cluster sets itself " +
    "(status, uid, resourceVersion, managedFields, timestamps, cluster IPs, …) are ignored; Secrets are compared by " +
    "key and value digest, never by value. `namespaces` compares different namespaces, e.g. default on dev with production on prod.",
  params: Params,
  output: TableOutput,
  annotations: { title: "Compare resources across clusters", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, fleet) =>
    Effect.gen(function*() {
      const selected = yield* selectContexts(input.contexts)
      if (selected.length < 2) return yield* invalid("contexts", `contexts must select at least two contexts (selected: ${selected.join(", ")})`)
      const stray = Object.keys(input.namespaces ?? {}).filter((c) => !selected.includes(c))
      if (stray.length > 0) return yield* invalid("namespaces", `namespaces names contexts that are not compared: ${stray.join(", ")}`)
      const base = input.base ?? input.contexts.find((c) => selected.includes(c)) ?? selected[0] ?? ""
      if (!selected.includes(base)) return yield* invalid("base", `base must be one of the compared contexts (${selected.join(", ")}); got "${base}"`)
      const order = [base, ...selected.filter((c) => c !== base)]
      const namespaceOf = (context: string) => input.namespaces?.[context] ?? input.namespace
      const gvk = { group: input.group, version: input.version, kind: input.kind }

      // each context's objects by name (one object, or the whole kind), where it looked
      const outcomes = yield* fleet.each(order, (kube) =>
        Effect.gen(function*() {
          const namespace = namespaceOf(kube.info.name)
          if (input.name !== undefined) {
            const target = yield* resolveTarget({ ...gvk, name: input.name, namespace }, "get", TOOL)
            const obj = yield* getObject(target).pipe(
              Effect.map((o): KubeObject | undefined => o),
              Effect.catchTag("NotFound", (_: NotFound) => Effect.succeed(undefined))
            )
            return { where: target.namespace, objects: new Map(obj !== undefined ? [[input.name, obj] as const] : []), complete: true, ref: refOf(target.info, input.name) }
          }
          const listed = yield* listAllObjects(gvk, { namespace, labelSelector: input.label_selector }, MAX_COMPARE_OBJECTS, TOOL)
          return {
            where: listed.namespace,
            objects: new Map(listed.items.map((o) => [metaOf(o).name ?? "", o] as const)),
            complete: listed.complete,
            ref: refOf(listed.info, "*")
          }
        }).pipe(Effect.mapError((e): KubeError | InvalidInput => e)))

      const answered = outcomes.flatMap((o) => (o.ok ? [{ context: o.context, ...o.value }] : []))
      if (answered.length === 0) return yield* noContextAnswered(outcomes)
      const notes = outcomes.flatMap((o) => (o.ok ? [] : [`context "${o.context}": ${contextFailure(o.error).type}: ${o.error.message}`]))
      const contexts = answered.map((a) => a.context)
      const single = input.name !== undefined
      const rows: Array<Array<string>> = []
      const names = [...new Set(answered.flatMap((a) => [...a.objects.keys()]))].sort()
      let differing = 0
      for (const name of names) {
        const objects = answered.map((a) => a.objects.get(name))
        const lead = single ? [] : [name]
        if (objects.some((o) => o === undefined)) {
          differing++
          rows.push([...lead, "(object)", ...objects.map((o) => (o === undefined ? "<not found>" : "present"))])
          continue
        }
        const diffs = fieldDifferences(objects.filter((o): o is KubeObject => o !== undefined))
        if (diffs.length > 0) differing++
        for (const d of diffs) rows.push([...lead, d.path, ...d.values.map(cell)])
      }
      const ref = answered[0]?.ref ?? input.kind
      const where = answered.map((a) => `${a.context}${a.where !== undefined ? ` (namespace ${a.where})` : ""}`).join(", ")
      const partial = answered.filter((a) => !a.complete).map((a) => a.context)
      const verdict = names.length === 0
        ? `no ${ref} found in any of ${where}`
        : answered.length < 2
        ? `only ${contexts[0]} answered: nothing to compare it with`
        : differing === 0
        ? `${single ? ref : `${names.length} object(s) of ${ref}`} identical in ${where}`
        : `${single ? `${ref}: ${rows.length} field(s) differ` : `${differing} of ${names.length} object(s) of ${ref} differ`} between ${where} (base ${base})`
      return table({
        columns: [...(single ? [] : ["object"]), "field", ...contexts],
        rows,
        narrow: single ? "a more specific object" : "label_selector, or a name",
        summary: [
          verdict,
          ...notes,
          ...(partial.length > 0 ? [`read the first ${MAX_COMPARE_OBJECTS} objects only in ${partial.join(", ")}: narrow with label_selector`] : []),
          NOISE_NOTE
        ].join("\n")
      })
    })
})
