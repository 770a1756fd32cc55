import type { AnyTool } from "../../tool/tool.js"
import { configmapsGetData, secretsGetData } from "./getData.js"
import { configmapsSetData, secretsSetData } from "./setData.js"

/** configmaps_* and secrets_* data tools. */
export const dataTools: ReadonlyArray<AnyTool> = [configmapsGetData, configmapsSetData, secretsGetData, secretsSetData]
