/** resources_* tools: any group/version/kind, CRDs included, through cached per-context discovery. */
import type { AnyTool } from "../../tool/tool.js"
import { resourcesApply } from "./apply.js"
import { resourcesCompare } from "./compare.js"
import { resourcesCopy } from "./copy.js"
import { resourcesDelete } from "./delete.js"
import { resourcesDescribe } from "./describe.js"
import { resourcesDiff } from "./diff.js"
import { resourcesExplain } from "./explain.js"
import { resourcesExport } from "./export.js"
import { resourcesGet } from "./get.js"
import { resourcesList } from "./list.js"
import { resourcesPatch } from "./patch.js"
import { resourcesRelationships } from "./relationships.js"
import { resourcesScale } from "./scale.js"

export const resourceTools: ReadonlyArray<AnyTool> = [
  resourcesList,
  resourcesGet,
  resourcesDescribe,
  resourcesExplain,
  resourcesRelationships,
  resourcesDiff,
  resourcesCompare,
  resourcesExport,
  resourcesApply,
  resourcesPatch,
  resourcesScale,
  resourcesDelete,
  resourcesCopy
]
