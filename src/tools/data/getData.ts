/** configmaps_get_data and secrets_get_data: the keys of one ConfigMap or Secret with their values (kube/data.ts reads them). */
import { Effect, Schema } from "effect"
import { type DataKind, type DataView, getData } from "../../kube/data.js"
import { document } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DataKey, Name, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
  keys: Schema.optionalKey(Schema.Array(DataKey).check(Schema.isMinLength(1), Schema.isMaxLength(100)).annotate({
    description: "only these keys (up to 100); omit for every key"
  }))
})

const GetDataOutput = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
  namespace: Schema.String,
  type: Schema.optionalKey(Schema.String.annotate({ description: "the Secret's type, e.g. Opaque or kubernetes.io/tls" })),
  immutable: Schema.optionalKey(Schema.Boolean),
  revealed: Schema.optionalKey(Schema.Boolean.annotate({ description: "Secrets: whether the values are shown (the context's reveal_secrets)" })),
  data: Schema.Record(Schema.String, Schema.String).annotate({
    description: "key → value; a masked Secret value reads \"<masked: n bytes>\", a ConfigMap's binary key \"<binary: n bytes>\""
  }),
  missing: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "keys asked for that the object does not have" })),
  keys: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "every key of the object (when only some were asked for)" })),
  notes: Schema.optionalKey(Schema.Array(Schema.String)),
  resourceVersion: Schema.String
})

const render = (v: DataView) => {
  const binary = v.entries.filter((e) => e.note === "binaryData").map((e) => e.key)
  const base64 = v.entries.filter((e) => e.note === "base64").map((e) => e.key)
  const notes = [
    ...(v.kind === "Secret" && !v.revealed
      ? ["Secret values are masked (reveal_secrets is off for this context): keys and decoded sizes only."]
      : []),
    ...(binary.length > 0 ? [`binaryData (not shown as text): ${binary.join(", ")}`] : []),
    ...(base64.length > 0 ? [`not UTF-8 text, shown as base64: ${base64.join(", ")}`] : []),
    ...(v.entries.length === 0 && v.missing.length === 0 ? ["no data keys"] : [])
  ]
  return {
    kind: v.kind,
    name: v.name,
    namespace: v.namespace,
    ...(v.type !== undefined ? { type: v.type } : {}),
    ...(v.immutable ? { immutable: true } : {}),
    ...(v.kind === "Secret" ? { revealed: v.revealed } : {}),
    data: Object.fromEntries(v.entries.map((e) => [e.key, e.value])),
    ...(v.missing.length > 0 ? { missing: [...v.missing] } : {}),
    ...(v.allKeys.length > 0 ? { keys: [...v.allKeys] } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    resourceVersion: v.resourceVersion
  }
}

const getDataTool = (kind: DataKind, name: string, description: string, title: string) =>
  clusterTool({
    name,
    description,
    params: Params,
    output: GetDataOutput,
    annotations: { title, readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    run: (input) => Effect.map(getData(kind, input), (v) => document(render(v), "yaml", "keys (only some keys)"))
  })

export const configmapsGetData = getDataTool(
  "ConfigMap",
  "configmaps_get_data",
  "Read the data of one ConfigMap: each key with its value (optionally only some keys). binaryData keys are listed with their size, not their bytes.",
  "Read ConfigMap data"
)

export const secretsGetData = getDataTool(
  "Secret",
  "secrets_get_data",
  "Read the data of one Secret: each key with its value decoded from base64, but only where the configuration reveals Secret values (reveal_secrets); otherwise each value reads \"<masked: n bytes>\" (keys and decoded sizes kept). Values that are not UTF-8 text are shown base64-encoded.",
  "Read Secret data"
)
