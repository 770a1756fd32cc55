import type { AnyTool } from "../../mcp/tool.js"

/** nodes_* and events_* tools (filled by the cluster toolset). */
export const clusterTools: ReadonlyArray<AnyTool> = []
