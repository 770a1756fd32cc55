/**
 * configmaps_set_data and secrets_set_data: set and remove keys of one ConfigMap or Secret (kube/data.ts
 * patches them). The report names keys, actions and sizes; a value never comes back.
 */
import { Effect, Schema } from "effect"
import { type DataChange, type DataKind, type KeyChange, setData } from "../../kube/data.js"
import { text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DataKey, DRY_RUN_NOTE, DryRun, Name, NamespaceParam } from "../params.js"

const MAX_KEYS = 100

const paramsOf = (valueDescription: string) =>
  Schema.Struct({
    name: Name,
    namespace: Schema.optionalKey(NamespaceParam),
    data: Schema.optionalKey(
      Schema.Record(DataKey, Schema.String.check(Schema.isMaxLength(1024 * 1024)).annotate({ description: valueDescription }))
        .check(Schema.isMaxProperties(MAX_KEYS))
        .annotate({ description: `keys to set (added or overwritten), key → value, up to ${MAX_KEYS}; other keys are kept` })
    ),
    remove: Schema.optionalKey(Schema.Array(DataKey).check(Schema.isMinLength(1), Schema.isMaxLength(MAX_KEYS)).annotate({
      description: `keys to delete (up to ${MAX_KEYS}); a key that is not there is reported as absent`
    })),
    dry_run: Schema.optionalKey(DryRun)
  })

const SetDataOutput = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
  namespace: Schema.String,
  action: Schema.Literals(["updated", "unchanged"]),
  dry_run: Schema.Boolean,
  resourceVersion: Schema.String,
  keys: Schema.Array(Schema.Struct({
    key: Schema.String,
    action: Schema.Literals(["added", "changed", "unchanged", "removed", "absent"]),
    bytes: Schema.optionalKey(Schema.Finite.annotate({ description: "size of the new value" })),
    previous_bytes: Schema.optionalKey(Schema.Finite.annotate({ description: "size of the value before" }))
  })).annotate({ description: "what became of each key given; sizes only, never values" })
})

const sizes = (k: KeyChange): string =>
  k.previousBytes !== undefined && k.bytes !== undefined
    ? ` (${k.previousBytes} → ${k.bytes} bytes)`
    : k.bytes !== undefined
    ? ` (${k.bytes} bytes)`
    : k.previousBytes !== undefined
    ? ` (was ${k.previousBytes} bytes)`
    : ""

const render = (c: DataChange) =>
  text({
    text: [
      ...(c.dryRun ? [DRY_RUN_NOTE] : []),
      `${c.kind.toLowerCase()}/${c.name} ${c.action} in namespace "${c.namespace}" (resourceVersion ${c.resourceVersion})`,
      ...c.keys.map((k) => `  ${k.key}: ${k.action}${sizes(k)}`)
    ].join("\n"),
    data: {
      kind: c.kind,
      name: c.name,
      namespace: c.namespace,
      action: c.action,
      dry_run: c.dryRun,
      resourceVersion: c.resourceVersion,
      keys: c.keys.map((k) => ({
        key: k.key,
        action: k.action,
        ...(k.bytes !== undefined ? { bytes: k.bytes } : {}),
        ...(k.previousBytes !== undefined ? { previous_bytes: k.previousBytes } : {})
      }))
    }
  })

const setDataTool = (kind: DataKind, name: string, description: string, title: string, valueDescription: string) =>
  clusterTool({
    name,
    description,
    params: paramsOf(valueDescription),
    output: SetDataOutput,
    annotations: { title, readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    about: (input) => ({
      objects: `${kind} ${input.name}${input.namespace !== undefined ? ` in namespace ${input.namespace}` : ""} (keys ${
        [...Object.keys(input.data ?? {}), ...(input.remove ?? [])].join(", ")
      })`,
      dryRun: input.dry_run === true
    }),
    run: (input) =>
      Effect.map(
        setData(kind, { name: input.name, namespace: input.namespace, set: input.data, remove: input.remove, dryRun: input.dry_run === true }),
        render
      )
  })

export const configmapsSetData = setDataTool(
  "ConfigMap",
  "configmaps_set_data",
  "Set and/or remove keys of one ConfigMap (one merge patch; other keys are kept; a concurrent change is a Conflict). Reports each key as added, changed, unchanged, removed or absent with its size, and the resulting resourceVersion; dry_run shows the outcome without persisting.",
  "Set ConfigMap data",
  "the value, as text"
)

export const secretsSetData = setDataTool(
  "Secret",
  "secrets_set_data",
  "Set and/or remove keys of one Secret. Give values as plain text: they are base64-encoded for you. The result names each key as added, changed, unchanged, removed or absent with its size and never contains a value, whatever reveal_secrets says. One merge patch (other keys kept; a concurrent change is a Conflict); dry_run shows the outcome without persisting.",
  "Set Secret data",
  "the value as plain text (stored base64-encoded); never echoed back"
)
