import type { AnyTool } from "../../mcp/tool.js"

/** resources_* tools (filled by the resources toolset). */
export const resourceTools: ReadonlyArray<AnyTool> = []
