/**
 * resources_export: the objects of one kind as clean manifests that can be applied again, here or on another
 * cluster (what the cluster wrote into them stripped, controller-made objects skipped with the reason), as
 * one multi-document YAML text.
 */
import { Effect, Schema } from "effect"
import { type Exported, exportObjects, manifestYaml } from "../../kube/export.js"
import { refOf } from "../../kube/objects.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, gvkFields, LabelSelector, Names, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  namespace: Schema.optionalKey(NamespaceParam),
  all_namespaces: Schema.optionalKey(AllNamespaces),
  label_selector: Schema.optionalKey(LabelSelector),
  names: Schema.optionalKey(Names)
})

const ObjectRow = {
  kind: Schema.String,
  apiVersion: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String)
}

const ExportOutput = Schema.Struct({
  manifest: Schema.String.annotate({ description: "the exported objects as YAML documents separated by ---, skipped ones named in # comments" }),
  objects: Schema.Array(Schema.Struct(ObjectRow)).annotate({ description: "the objects in the manifest, in order" }),
  skipped: Schema.Array(Schema.Struct({ ...ObjectRow, reason: Schema.String })).annotate({
    description: "objects left out because a controller creates them (ReplicaSets of Deployments, Pods, kube-root-ca.crt, …)"
  }),
  notes: Schema.optionalKey(Schema.Array(Schema.String))
})

const notesOf = (e: Exported): Array<string> => [
  ...(e.masked
    ? ["Secret values are masked (this context does not reveal secrets): these documents hold placeholders and cannot be applied as they are"]
    : []),
  ...(e.missing.length > 0 ? [`not found: ${e.missing.join(", ")}`] : []),
  ...(e.more ? ["more objects match than one export holds; narrow with label_selector, names or a namespace"] : [])
]

export const resourcesExport = clusterTool({
  name: "resources_export",
  description: "Export the objects of one kind (group/version/kind; namespace, label_selector, names) as clean manifests " +
    "that can be applied again, here or on another cluster (disaster recovery, migration): uid, resourceVersion, " +
    "creationTimestamp, managedFields, status, controller-set annotations, a Service's clusterIP(s), a Pod's nodeName, a " +
    "PVC's volumeName and owner references to objects not exported are stripped. Objects that only a controller creates " +
    "(ReplicaSets of Deployments, Pods of ReplicaSets, Endpoints/EndpointSlices, the kube-root-ca.crt ConfigMap, " +
    "ServiceAccount tokens, the default ServiceAccount) are skipped and named with the reason. Returns one multi-document " +
    "YAML text. Secret values stay masked unless the context reveals secrets. To copy to another context, use resources_copy.",
  params: Params,
  output: ExportOutput,
  annotations: { title: "Export resources as manifests", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const e = yield* exportObjects(input, {
        namespace: input.namespace,
        allNamespaces: input.all_namespaces,
        labelSelector: input.label_selector,
        names: input.names
      }, "resources_export")
      const row = (o: { readonly name: string; readonly namespace: string | undefined }) => ({
        kind: e.info.kind,
        apiVersion: e.info.apiVersion,
        name: o.name,
        ...(o.namespace !== undefined ? { namespace: o.namespace } : {})
      })
      const notes = notesOf(e)
      const where = (ns: string | undefined) => (ns !== undefined ? ` -n ${ns}` : "")
      const comments = [
        `${e.objects.length} ${e.info.kind} object(s) exported${e.info.namespaced && e.namespace !== undefined ? ` from namespace ${e.namespace}` : ""}`,
        ...e.skipped.map((s) => `skipped ${refOf(e.info, s.name)}${where(s.namespace)}: ${s.reason}`),
        ...notes
      ]
      const reply: Reply = text({
        text: manifestYaml(e.objects.map((o) => o.object), comments),
        field: "manifest",
        data: {
          objects: e.objects.map(row),
          skipped: e.skipped.map((s) => ({ ...row(s), reason: s.reason })),
          ...(notes.length > 0 ? { notes } : {})
        },
        narrow: "label_selector, names or a namespace"
      })
      return reply
    })
})
