/** rollout_* and resources_wait: rollouts of workloads and waiting on any object, as kubectl rollout and kubectl wait. */
import type { AnyTool } from "../../tool/tool.js"
import { rolloutRestart } from "./restart.js"
import { rolloutStatusTool } from "./status.js"
import { rolloutUndo } from "./undo.js"
import { resourcesWait } from "./wait.js"

export const rolloutTools: ReadonlyArray<AnyTool> = [rolloutStatusTool, resourcesWait, rolloutRestart, rolloutUndo]
