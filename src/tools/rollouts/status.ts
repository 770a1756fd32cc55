/** rollout_status: kubectl rollout status for a Deployment, StatefulSet or DaemonSet, now or waiting (bounded) until done. */
import { Effect, Schema } from "effect"
import { inNamespace, refOf } from "../../kube/objects.js"
import { rolloutStatus } from "../../kube/rollouts.js"
import { DEFAULT_WAIT_TIMEOUT_S, seconds } from "../../kube/wait.js"
import { type Reply, text } from "../../output/reply.js"
import { CallProgress, clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam, WaitTimeout, WorkloadKind } from "../params.js"

const Params = Schema.Struct({
  kind: WorkloadKind,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
  wait: Schema.optionalKey(Schema.Boolean.annotate({
    description: "keep polling until the rollout is done (or has failed) instead of answering with the status now; " +
      "progress notifications report each poll; bounded by timeout"
  })),
  timeout: Schema.optionalKey(WaitTimeout)
})

const RolloutStatusOutput = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  state: Schema.Literals(["done", "waiting", "failed"]).annotate({
    description: "done: rolled out; waiting: still rolling out; failed: kubectl would stop with an error (progress deadline exceeded, a strategy without rollout status)"
  }),
  done: Schema.Boolean,
  message: Schema.String.annotate({ description: "what kubectl rollout status prints for it" }),
  summary: Schema.String.annotate({ description: "state, revision, replica counts and generations in one line" }),
  revision: Schema.optionalKey(Schema.String.annotate({ description: "Deployment: its revision; StatefulSet: the update revision" })),
  generation: Schema.Finite,
  observed_generation: Schema.Finite,
  replicas: Schema.Record(Schema.String, Schema.Finite).annotate({ description: "the counts the status is computed from: desired, current, updated, ready, available" }),
  waited_seconds: Schema.optionalKey(Schema.Finite),
  polls: Schema.optionalKey(Schema.Finite)
})

export const rolloutStatusTool = clusterTool({
  name: "rollout_status",
  description: "Rollout status of a Deployment, StatefulSet or DaemonSet, computed as kubectl rollout status does (observed " +
    "generation, updated/ready/available replicas, the progress deadline, StatefulSet partitions and revisions, DaemonSet " +
    "pods scheduled) and in kubectl's words. With wait: polls until done or failed, at most timeout seconds, sending a " +
    "progress notification per poll; still rolling out by then is a Timeout error with kubectl's last line.",
  params: Params,
  output: RolloutStatusOutput,
  annotations: { title: "Rollout status", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const progress = yield* CallProgress
      const waiting = input.wait === true
      const w = yield* rolloutStatus(input, "rollout_status", waiting ? { timeoutMs: (input.timeout ?? DEFAULT_WAIT_TIMEOUT_S) * 1000, progress } : undefined)
      const s = w.status
      const counts = Object.entries(s.counts).map(([k, v]) => `${v} ${k}`).join(", ")
      const summary = `${refOf(s.info, s.name)}${inNamespace(s.namespace)}: ${s.state}${s.revision !== undefined ? `, revision ${s.revision}` : ""}; ` +
        `${counts}; generation ${s.generation}, observed ${s.observedGeneration}${waiting ? `; waited ${seconds(w.elapsedMs)} (${w.polls} polls)` : ""}`
      const reply: Reply = text({
        text: [s.message, summary].join("\n"),
        data: {
          kind: s.kind,
          name: s.name,
          ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
          state: s.state,
          done: s.state === "done",
          message: s.message,
          summary,
          ...(s.revision !== undefined ? { revision: s.revision } : {}),
          generation: s.generation,
          observed_generation: s.observedGeneration,
          replicas: s.counts,
          ...(waiting ? { waited_seconds: Math.round(w.elapsedMs / 1000), polls: w.polls } : {})
        }
      })
      return reply
    })
})
