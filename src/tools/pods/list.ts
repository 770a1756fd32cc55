/** pods_list: kubectl get pods -o wide, compact and paged by the API server. */
import { Effect, Schema } from "effect"
import { PAGE_SIZE } from "../../kube/paging.js"
import { listScope } from "../../kube/scope.js"
import { access } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { age, ListMeta } from "../../kube/meta.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, Continue, FieldSelector, LabelSelector, Limit, NamespaceParam } from "../params.js"
import { podStatus } from "./podStatus.js"
import { Pod, podPath } from "./schema.js"

const PodList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(Pod) })

export const podsList = clusterTool({
  name: "pods_list",
  description:
    "List pods as `kubectl get pods -o wide` shows them: name, ready (ready/total containers), status (kubectl's reason such as CrashLoopBackOff, Completed, Init:0/1, Terminating, not just the phase), restarts, age, node, ip; namespace too with all_namespaces. Paged by the API server: pass limit, then the returned continue token for the next page.",
  params: Schema.Struct({
    namespace: Schema.optionalKey(NamespaceParam.annotate({ description: "namespace to list; omit for the context's namespace" })),
    all_namespaces: Schema.optionalKey(AllNamespaces.annotate({ description: "list pods of every namespace (ignores namespace)" })),
    label_selector: Schema.optionalKey(LabelSelector),
    field_selector: Schema.optionalKey(FieldSelector.annotate({
      description: "field selector, e.g. status.phase=Running or spec.nodeName=node-1"
    })),
    limit: Schema.optionalKey(Limit),
    continue: Schema.optionalKey(Continue)
  }),
  output: TableOutput,
  annotations: { title: "List pods", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const scope = yield* listScope(input, cluster.info.namespace)
      const all = scope.all
      const namespace = scope.all ? undefined : scope.namespace
      const list = yield* callJson(access({ verb: "list", resource: "pods", namespace }),
        {
          path: namespace === undefined ? "/api/v1/pods" : podPath(namespace),
          query: {
            labelSelector: input.label_selector,
            fieldSelector: input.field_selector,
            limit: input.limit ?? PAGE_SIZE,
            continue: input.continue
          }
        },
        PodList
      )
      const now = Date.now()
      const rows = list.items.map((pod) => {
        const s = podStatus(pod, now)
        const cells = [
          pod.metadata.name,
          s.ready,
          s.status,
          s.restarts,
          age(pod.metadata.creationTimestamp, now),
          pod.spec?.nodeName ?? "<none>",
          pod.status?.podIP ?? "<none>"
        ]
        return all ? [pod.metadata.namespace ?? "", ...cells] : cells
      })
      const columns = ["name", "ready", "status", "restarts", "age", "node", "ip"]
      return table({
        columns: all ? ["namespace", ...columns] : columns,
        rows,
        continue: list.metadata?.continue,
        ...(rows.length === 0 && namespace !== undefined ? { summary: `namespace "${namespace}"` } : {}),
        narrow: `limit (then continue), label_selector, field_selector (e.g. status.phase!=Running)${all ? " or a namespace instead of all_namespaces" : ""}`
      })
    })
})
