import type { AnyTool } from "../../mcp/tool.js"

/** pods_* tools (filled by the pods toolset). */
export const podTools: ReadonlyArray<AnyTool> = []
