/** nodes_cordon and nodes_uncordon: mark a node unschedulable or schedulable again (kube/nodes.ts patches it). */
import { Effect, Schema } from "effect"
import { type Schedulability, setUnschedulable } from "../../kube/nodes.js"
import { text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DRY_RUN_NOTE, DryRun, Name } from "../params.js"

const Params = Schema.Struct({
  name: Name.annotate({ description: "node name (see nodes_summary)" }),
  dry_run: Schema.optionalKey(DryRun)
})

const CordonOutput = Schema.Struct({
  node: Schema.String,
  action: Schema.Literals(["cordoned", "already cordoned", "uncordoned", "already schedulable"]),
  dry_run: Schema.Boolean,
  resourceVersion: Schema.String
})

const render = (s: Schedulability) =>
  text({
    text: `${s.dryRun ? `${DRY_RUN_NOTE}\n` : ""}node/${s.name} ${s.action} (resourceVersion ${s.resourceVersion})`,
    data: { node: s.name, action: s.action, dry_run: s.dryRun, resourceVersion: s.resourceVersion }
  })

const schedulingTool = (unschedulable: boolean, name: string, title: string, description: string) =>
  clusterTool({
    name,
    description,
    params: Params,
    output: CordonOutput,
    annotations: { title, readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    about: (input) => ({ objects: `node ${input.name}`, dryRun: input.dry_run === true }),
    run: (input) => Effect.map(setUnschedulable(input.name, unschedulable, input.dry_run === true), render)
  })

export const nodesCordon = schedulingTool(
  true,
  "nodes_cordon",
  "Cordon a node",
  "Mark a node unschedulable (kubectl cordon): no new pod is scheduled on it; pods already there keep running (nodes_drain evicts them). Reports cordoned or already cordoned."
)

export const nodesUncordon = schedulingTool(
  false,
  "nodes_uncordon",
  "Uncordon a node",
  "Mark a node schedulable again (kubectl uncordon), e.g. after maintenance or a drain. Reports uncordoned or already schedulable."
)
