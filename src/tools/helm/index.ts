/** The helm_* tools, in the order tools/list shows them. */
import type { AnyTool } from "../../tool/tool.js"
import { helmGet } from "./get.js"
import { helmHistory } from "./history.js"
import { helmInstall } from "./install.js"
import { helmList } from "./list.js"
import { helmRollback } from "./rollback.js"
import { helmUninstall } from "./uninstall.js"
import { helmUpgrade } from "./upgrade.js"

export const helmTools: ReadonlyArray<AnyTool> = [helmList, helmGet, helmHistory, helmInstall, helmUpgrade, helmRollback, helmUninstall]
