/**
 * resources_explain: the documentation of a kind's fields from the cluster's own OpenAPI v3, as `kubectl
 * explain` gives it (CRDs included): the field's type and description, then its direct fields with their
 * type, whether required, and one line each; or, with `recursive`, the tree of field names below (bounded).
 */
import { Effect, Schema } from "effect"
import { explainField } from "../../kube/openapi.js"
import { renderTable } from "../../output/budget.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { gvkFields } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  field: Schema.optionalKey(
    Schema.String.check(Schema.isMaxLength(1000)).annotate({
      description: "dotted field path below the kind, e.g. \"spec.template.spec.containers.resources\" (arrays are stepped " +
        "through, so no [] is needed; a leading kind name as in kubectl explain is accepted); at most 1000 characters; omit for the kind itself"
    })
  ),
  recursive: Schema.optionalKey(Schema.Boolean.annotate({
    description: "list every field below the path as a tree of dotted names with their types (no descriptions), like " +
      "kubectl explain --recursive; bounded in depth and field count, and says where it was cut"
  }))
})

const FieldOutput = Schema.Struct({
  name: Schema.String.annotate({ description: "the field's name; in a recursive tree its dotted path below the field explained" }),
  type: Schema.String.annotate({ description: "as kubectl explain names it: string, integer, []Container, map[string]string, Object…" }),
  required: Schema.Boolean,
  description: Schema.optionalKey(Schema.String.annotate({ description: "the first sentence of its description (not in recursive trees)" }))
})

const ExplainOutput = Schema.Struct({
  kind: Schema.String,
  apiVersion: Schema.String,
  field: Schema.String.annotate({ description: "the field explained, as a dotted path; \"\" for the kind itself" }),
  type: Schema.String,
  description: Schema.String,
  enum: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "the values the field allows, when the schema lists them" })),
  fields: Schema.Array(FieldOutput).annotate({ description: "the direct fields (or, recursive, the tree below), sorted by name" }),
  notes: Schema.optionalKey(Schema.Array(Schema.String))
})

const indent = (s: string, by = "    "): string => s.split("\n").map((l) => (l === "" ? l : `${by}${l}`)).join("\n")

export const resourcesExplain = clusterTool({
  name: "resources_explain",
  description: "Document the fields of any kind (built-in or CRD) from the cluster's own OpenAPI v3 schema, as kubectl " +
    "explain does: for a field path such as \"spec.template.spec.containers.resources\", its type and description and its " +
    "direct fields (name, type, required, one line each). recursive: true lists the whole tree of field names below it. " +
    "Use it to write or fix a manifest for the API version the cluster really serves.",
  params: Params,
  output: ExplainOutput,
  annotations: { title: "Explain a kind's fields", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const recursive = input.recursive === true
      const e = yield* explainField(
        { group: input.group ?? "", version: input.version, kind: input.kind },
        input.field ?? "",
        { recursive }
      )
      const notes = e.cut !== undefined ? [e.cut] : []
      const rows = e.fields.map((f) => [f.name, `<${f.type}>`, f.required ? "required" : "", ...(recursive ? [] : [f.description ?? ""])])
      const lines = [
        `KIND:     ${e.info.kind}`,
        `VERSION:  ${e.info.apiVersion}`,
        "",
        e.path === "" ? `TYPE:     <${e.type}>` : `FIELD:    ${e.path} <${e.type}>`,
        "",
        "DESCRIPTION:",
        indent(e.description === "" ? "<empty>" : e.description),
        ...(e.enum !== undefined ? ["", `ENUM:     ${e.enum.join(", ")}`] : []),
        "",
        e.fields.length === 0
          ? "FIELDS:   <none>"
          : `FIELDS${recursive ? " (tree)" : ""}:\n${indent(renderTable(["name", "type", "required", ...(recursive ? [] : ["description"])], rows), "  ")}`,
        ...notes.map((n) => `\n(${n})`)
      ]
      const reply: Reply = text({
        text: lines.join("\n"),
        data: {
          kind: e.info.kind,
          apiVersion: e.info.apiVersion,
          field: e.path,
          type: e.type,
          description: e.description,
          ...(e.enum !== undefined ? { enum: e.enum } : {}),
          fields: e.fields.map((f) => ({
            name: f.name,
            type: f.type,
            required: f.required,
            ...(f.description !== undefined ? { description: f.description } : {})
          })),
          ...(notes.length > 0 ? { notes } : {})
        },
        narrow: "a deeper field path, or recursive false"
      })
      return reply
    })
})
