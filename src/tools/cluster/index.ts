import type { AnyTool } from "../../tool/tool.js"
import { eventsList } from "./events.js"
import { nodesSummary } from "./nodes.js"
import { nodesCordon, nodesUncordon } from "./nodesCordon.js"
import { nodesDrain } from "./nodesDrain.js"
import { nodesTop } from "./nodesTop.js"
import { clustersOverview } from "./overview.js"

/** clusters_overview, nodes_* (read and maintenance) and events_* tools (namespaces_list lives in ../namespaces.ts). */
export const clusterTools: ReadonlyArray<AnyTool> = [clustersOverview, nodesSummary, nodesTop, nodesCordon, nodesUncordon, nodesDrain, eventsList]
