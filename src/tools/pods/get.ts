/** pods_get: a pod's essentials as a person reads them, or the whole object as yaml/json. */
import { Clock, Effect, Schema } from "effect"
import { getPodObject, getPodWithEvents } from "../../kube/pods.js"
import { podSummary } from "../../kube/podStatus.js"
import { namespaceOr } from "../../kube/scope.js"
import { document, ObjectOutput } from "../../output/reply.js"
import { optionsOf, sanitizeObject } from "../../output/sanitize.js"
import { clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam, Output } from "../params.js"

export const podsGet = clusterTool({
  name: "pods_get",
  description:
    "Show one pod. summary (default): status as kubectl shows it, phase, conditions, each container's image, readiness, restarts, state and last state (reason, exit code), node, IPs, owner, QoS class and the pod's most recent events (newest first). output yaml/json: the whole object (managedFields and the last-applied annotation removed).",
  params: Schema.Struct({
    name: Name.annotate({ description: "pod name" }),
    namespace: Schema.optionalKey(NamespaceParam),
    output: Schema.optionalKey(Output)
  }),
  output: ObjectOutput,
  annotations: { title: "Get a pod", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      if (input.output === "yaml" || input.output === "json") {
        const pod = yield* getPodObject(namespace, input.name)
        return document(sanitizeObject(pod, optionsOf(kube), "Pod"), input.output, "output summary")
      }
      const found = yield* getPodWithEvents(namespace, input.name)
      const now = yield* Clock.currentTimeMillis
      return document(podSummary(found.pod, found, now), "yaml", "output summary, or pods_logs / events_list for details")
    })
})
