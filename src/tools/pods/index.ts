/** The pods_* tools, in the order tools/list shows them. */
import type { AnyTool } from "../../tool/tool.js"
import { podsDelete } from "./delete.js"
import { podsExec } from "./exec.js"
import { podsGet } from "./get.js"
import { podsList } from "./list.js"
import { podsLogs } from "./logs.js"
import { podsTop } from "./top.js"

export const podTools: ReadonlyArray<AnyTool> = [podsList, podsGet, podsLogs, podsTop, podsExec, podsDelete]
