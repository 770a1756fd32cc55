/** The one registration point: every tool the server offers, in the order tools/list shows them. */
import type { AnyTool } from "../tool/tool.js"
import { clusterTools } from "./cluster/index.js"
import { configContextsList, configKubeconfigView } from "./config.js"
import { dataTools } from "./data/index.js"
import { helmTools } from "./helm/index.js"
import { namespacesList } from "./namespaces.js"
import { podTools } from "./pods/index.js"
import { resourceTools } from "./resources/index.js"
import { rolloutTools } from "./rollouts/index.js"

export const allTools: ReadonlyArray<AnyTool> = [
  configContextsList,
  configKubeconfigView,
  namespacesList,
  ...podTools,
  ...resourceTools,
  ...rolloutTools,
  ...dataTools,
  ...clusterTools,
  ...helmTools
]
