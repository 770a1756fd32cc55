/**
 * resources_relationships: one object in its surroundings, as a tree in one table: its owners up (Pod →
 * ReplicaSet → Deployment) and what depends on it down (a Deployment's ReplicaSets and their Pods, a Service's
 * EndpointSlices and their Pods, an Ingress's Services, a PVC's volume and the Pods mounting it). Bounded.
 */
import { Effect, Schema } from "effect"
import { inNamespace, refOf } from "../../kube/objects.js"
import { MAX_DEPTH, MAX_OBJECTS, relationshipsOf } from "../../kube/relationships.js"
import { type Reply, table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { gvkFields, Name, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam)
})

export const resourcesRelationships = clusterTool({
  name: "resources_relationships",
  description: "Show how one object relates to others, as a tree in one table (depth, relation, kind, name, namespace, " +
    "status): its owners up the ownerReferences chain (depth -1, -2: e.g. Pod → ReplicaSet → Deployment) and its " +
    "dependents down (depth 1, 2…): objects it owns (a Deployment's ReplicaSets and their Pods, a Job's Pods), a " +
    "Service's EndpointSlices and the Pods behind them, an Ingress's backend Services, a PVC's volume and the Pods " +
    `that mount it. Bounded to ${MAX_OBJECTS} objects and ${MAX_DEPTH} levels down; says where it was cut. ` +
    "Use it to find what runs behind a Service or what a Pod belongs to.",
  params: Params,
  output: TableOutput,
  annotations: { title: "Relationships of a resource", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const r = yield* relationshipsOf(input, "resources_relationships")
      const summary = [
        `${refOf(r.info, r.name)}${inNamespace(r.namespace)}: ${r.owners} owner(s) up, ${r.dependents} dependent(s) down.`,
        ...r.notes
      ].join(" ")
      const reply: Reply = table({
        columns: ["depth", "relation", "kind", "name", "namespace", "status"],
        rows: r.rows.map((row) => [String(row.depth), row.relation, row.kind, row.name, row.namespace, row.status]),
        summary,
        narrow: "call resources_relationships on a dependent for its own tree"
      })
      return reply
    })
})
