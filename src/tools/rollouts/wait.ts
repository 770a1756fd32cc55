/** resources_wait: kubectl wait — until a condition, a JSONPath value or deletion, bounded, with progress per poll. */
import { Effect, Schema } from "effect"
import { inNamespace, refOf } from "../../kube/objects.js"
import { DEFAULT_WAIT_TIMEOUT_S, seconds, waitFor, waitForOf } from "../../kube/wait.js"
import { type Reply, text } from "../../output/reply.js"
import { CallProgress, clusterTool } from "../../tool/tool.js"
import { gvkFields, LabelSelector, Name, NamespaceParam, WaitTimeout } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  name: Schema.optionalKey(Name.annotate({ description: "the object to wait for; or label_selector for every object it matches" })),
  label_selector: Schema.optionalKey(LabelSelector.annotate({
    description: "wait for every object matching this label selector (e.g. app=web) instead of one name; matching none is NotFound (deletion: done)"
  })),
  namespace: Schema.optionalKey(NamespaceParam),
  condition: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(316)).annotate({
    description: "wait until status.conditions has this condition: TYPE (status True) or TYPE=STATUS, e.g. \"Available\", " +
      "\"Ready\", \"Complete\", \"Ready=False\"; compared case-insensitively, as kubectl wait --for=condition"
  })),
  jsonpath: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1000)).annotate({
    description: "wait until this JSONPath (kubectl syntax, e.g. \"{.status.phase}\" or \".status.readyReplicas\") has value; " +
      "without value, until it matches anything (kubectl wait --for=jsonpath)"
  })),
  value: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(1000)).annotate({
    description: "with jsonpath: the value it must have, compared as text with the one value the path leads to, e.g. \"Running\" or \"3\""
  })),
  delete: Schema.optionalKey(Schema.Boolean.annotate({ description: "true: wait until the object (or every object the selector matches) is gone" })),
  timeout: Schema.optionalKey(WaitTimeout)
})

const WaitOutput = Schema.Struct({
  kind: Schema.String,
  name: Schema.optionalKey(Schema.String),
  label_selector: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  waited_for: Schema.String.annotate({ description: "what was waited for, e.g. condition Available=True" }),
  met: Schema.Boolean,
  summary: Schema.String.annotate({ description: "what was met on what, after how long, in one line" }),
  objects: Schema.Array(Schema.Struct({ name: Schema.String, state: Schema.String })).annotate({ description: "each object and what it shows now" }),
  waited_seconds: Schema.Finite,
  polls: Schema.Finite
})

export const resourcesWait = clusterTool({
  name: "resources_wait",
  description: "Wait, as kubectl wait does, until an object of any kind (by name, or every object a label_selector matches) " +
    "has a condition (condition: \"Available\", \"Ready=False\"), a JSONPath value (jsonpath + value), or is deleted " +
    "(delete: true). Polls every second for at most timeout seconds (default 30, max 300), with a progress notification per " +
    "poll; not met by then is a Timeout error with the last state seen.",
  params: Params,
  output: WaitOutput,
  annotations: { title: "Wait for a resource", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const f = yield* waitForOf(input)
      const progress = yield* CallProgress
      const w = yield* waitFor(
        { ...input, labelSelector: input.label_selector },
        f,
        (input.timeout ?? DEFAULT_WAIT_TIMEOUT_S) * 1000,
        "resources_wait",
        progress
      )
      const what = w.name !== undefined ? refOf(w.info, w.name) : `${w.info.kind} with labels ${w.labelSelector ?? ""}`
      const summary = `${w.waitingFor} met: ${what}${inNamespace(w.namespace)} after ${seconds(w.elapsedMs)} (${w.polls} polls)`
      const reply: Reply = text({
        text: [
          summary,
          ...(w.objects.length === 0 ? ["  no objects match"] : w.objects.map((o) => `  ${o.name}: ${o.detail}`))
        ].join("\n"),
        data: {
          kind: w.info.kind,
          ...(w.name !== undefined ? { name: w.name } : {}),
          ...(w.labelSelector !== undefined ? { label_selector: w.labelSelector } : {}),
          ...(w.namespace !== undefined ? { namespace: w.namespace } : {}),
          waited_for: w.waitingFor,
          met: true,
          summary,
          objects: w.objects.map((o) => ({ name: o.name, state: o.detail })),
          waited_seconds: Math.round(w.elapsedMs / 1000),
          polls: w.polls
        }
      })
      return reply
    })
})
