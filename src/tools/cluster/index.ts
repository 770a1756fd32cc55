import type { AnyTool } from "../../tool/tool.js"
import { eventsList } from "./events.js"
import { nodesSummary } from "./nodes.js"
import { nodesTop } from "./nodesTop.js"
import { clustersOverview } from "./overview.js"

/** clusters_overview, nodes_* and events_* tools (namespaces_list lives in ../namespaces.ts). */
export const clusterTools: ReadonlyArray<AnyTool> = [clustersOverview, nodesSummary, nodesTop, eventsList]
