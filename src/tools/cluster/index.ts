import type { AnyTool } from "../../tool/tool.js"
import { eventsList } from "./events.js"
import { nodesSummary } from "./nodes.js"
import { nodesTop } from "./nodesTop.js"

/** nodes_* and events_* tools (namespaces_list lives in ../namespaces.ts). */
export const clusterTools: ReadonlyArray<AnyTool> = [nodesSummary, nodesTop, eventsList]
