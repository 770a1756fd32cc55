/**
 * resources_copy: the objects of one kind copied from one context to another (disaster recovery, promotion,
 * migration): exported clean from `from_context` (as resources_export does), applied server-side on
 * `to_context` one by one, each with its own outcome. Dry run unless the call says dry_run: false.
 */
import { Effect, Schema } from "effect"
import { InvalidInput } from "../../errors.js"
import { type ApplyOutcome } from "../../kube/apply.js"
import { parseApiVersion } from "../../kube/discovery.js"
import { applyCopies, type CopyResult, ensureNamespace, exportObjects, type SkippedObject } from "../../kube/export.js"
import { DEFAULT_FIELD_MANAGER, metaOf, refOf } from "../../kube/objects.js"
import { type Reply, text } from "../../output/reply.js"
import { fleetTool } from "../../tool/tool.js"
import { FieldManager, gvkFields, LabelSelector, Names, NamespaceParam } from "../params.js"

const ContextName = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253))

const Params = Schema.Struct({
  from_context: ContextName.annotate({ description: "kubeconfig context to copy from (the source; only read); see config_contexts_list" }),
  to_context: ContextName.annotate({ description: "kubeconfig context to copy to (the target; must not be read-only)" }),
  ...gvkFields,
  namespace: Schema.optionalKey(NamespaceParam.annotate({
    description: "source namespace for a namespaced kind; omit for from_context's namespace"
  })),
  to_namespace: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(63)).annotate({
    description: "namespace of the copies on to_context (default: the source namespace); created first when it does not exist"
  })),
  label_selector: Schema.optionalKey(LabelSelector),
  names: Schema.optionalKey(Names),
  field_manager: Schema.optionalKey(FieldManager),
  dry_run: Schema.optionalKey(Schema.Boolean.annotate({
    description: "default true: report what the copy would do (server-side dry run) without changing anything; a real copy must say dry_run: false"
  }))
})

const ACTIONS = ["created", "configured", "unchanged", "failed", "skipped"] as const
type Action = typeof ACTIONS[number]

const CopyOutput = Schema.Struct({
  dry_run: Schema.Boolean.annotate({ description: "true: nothing was changed; the actions say what a real copy would do" }),
  note: Schema.optionalKey(Schema.String.annotate({ description: "with dry run: that nothing was changed and how to copy for real" })),
  from_context: Schema.String,
  to_context: Schema.String,
  from_namespace: Schema.optionalKey(Schema.String),
  to_namespace: Schema.optionalKey(Schema.String),
  results: Schema.Array(Schema.Struct({
    kind: Schema.String,
    apiVersion: Schema.String,
    name: Schema.String,
    namespace: Schema.optionalKey(Schema.String.annotate({ description: "the namespace on to_context (skipped objects: the source namespace)" })),
    action: Schema.Literals(ACTIONS),
    resourceVersion: Schema.optionalKey(Schema.String.annotate({ description: "on to_context, after the apply" })),
    changes: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "configured: the fields that changed, as path: before → after" })),
    reason: Schema.optionalKey(Schema.String.annotate({ description: "skipped: why; created in a dry run: what the server could not check" })),
    error: Schema.optionalKey(Schema.Struct({
      type: Schema.String.annotate({ description: "the error type, as in an error result (Invalid, Forbidden, Conflict, …)" }),
      message: Schema.String
    }))
  })).annotate({ description: "one entry per object, in the order applied (a namespace created for the copies first)" }),
  summary: Schema.String.annotate({ description: "the counts in words, e.g. \"2 would be created, 1 skipped\" (dry run) or \"2 created, 1 unchanged\"" }),
  counts: Schema.Struct({
    created: Schema.Finite,
    configured: Schema.Finite,
    unchanged: Schema.Finite,
    failed: Schema.Finite,
    skipped: Schema.Finite
  }).annotate({ description: "how many objects had each action" })
})

interface Row {
  readonly kind: string
  readonly apiVersion: string
  readonly name: string
  readonly namespace?: string
  readonly action: Action
  readonly resourceVersion?: string
  readonly changes?: ReadonlyArray<string>
  readonly reason?: string
  readonly error?: { readonly type: string; readonly message: string }
}

const resourceVersionOf = (o: ApplyOutcome | undefined) => {
  const rv = o !== undefined ? metaOf(o.after).resourceVersion : undefined
  return rv !== undefined && rv !== "" ? { resourceVersion: rv } : {}
}

const rowOf = (kind: { readonly kind: string; readonly apiVersion: string }, r: CopyResult): Row => ({
  ...kind,
  name: r.name,
  ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
  action: r.action,
  ...(r.action === "failed"
    ? { error: r.error }
    : {
      ...resourceVersionOf(r.outcome),
      ...(r.outcome !== undefined && r.outcome.changes.length > 0 ? { changes: r.outcome.changes } : {}),
      ...(r.note !== undefined ? { reason: r.note } : {})
    })
})

const skippedRow = (kind: { readonly kind: string; readonly apiVersion: string }, s: SkippedObject): Row => ({
  ...kind,
  name: s.name,
  ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
  action: "skipped",
  reason: s.reason
})

const verb = (action: Action, dryRun: boolean): string =>
  !dryRun || action === "failed" || action === "skipped" ? action : action === "unchanged" ? "would be unchanged" : `would be ${action}`

const lineOf = (r: Row, dryRun: boolean): Array<string> => [
  `  ${refOf({ kind: r.kind, group: parseApiVersion(r.apiVersion).group }, r.name)}${
    r.namespace !== undefined ? ` -n ${r.namespace}` : ""
  }: ${verb(r.action, dryRun)}${r.error !== undefined ? ` — ${r.error.type}: ${r.error.message}` : ""}${r.reason !== undefined ? ` — ${r.reason}` : ""}${
    r.resourceVersion !== undefined && !dryRun ? ` (resourceVersion ${r.resourceVersion})` : ""
  }`,
  ...(r.changes ?? []).map((c) => `      ${c}`)
]

const DRY_RUN_NOTE = "dry run: nothing was changed. Call again with dry_run: false to copy."

const badInput = (path: string, message: string) => new InvalidInput({ message, issues: [{ path, message }] })

export const resourcesCopy = fleetTool({
  name: "resources_copy",
  description: "Copy the objects of one kind (group/version/kind; namespace, label_selector, names) from from_context to " +
    "to_context with server-side apply: disaster recovery, promotion, migration. The objects are exported clean as " +
    "resources_export does (server-written fields stripped; objects a controller creates, such as ReplicaSets, Pods, " +
    "Endpoints, kube-root-ca.crt or the default ServiceAccount, skipped with the reason); to_namespace remaps the " +
    "namespace, which is created first when it does not exist. dry_run defaults to TRUE: a real copy must say dry_run: " +
    "false. Reports per object: created, configured, unchanged, failed (with the error; the others go on) or skipped. " +
    "Secrets are copied only when from_context reveals secret values (reveal_secrets), else skipped. Never deletes. " +
    "One kind per call: to copy a whole namespace, call it kind by kind in this order: Namespace (cluster-scoped; or " +
    "let to_namespace create it), CustomResourceDefinition (apiextensions.k8s.io), ConfigMap and Secret, " +
    "ServiceAccount/Role/RoleBinding, PersistentVolumeClaim, Service, then workloads (Deployment, StatefulSet, " +
    "DaemonSet, Job, CronJob) and custom resources.",
  params: Params,
  output: CopyOutput,
  annotations: { title: "Copy resources to another context", readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  run: (input, fleet) =>
    Effect.gen(function*() {
      const tool = "resources_copy"
      const dryRun = input.dry_run !== false
      const fieldManager = input.field_manager ?? DEFAULT_FIELD_MANAGER
      const source = yield* fleet.on(input.from_context, (kube) =>
        exportObjects(input, { namespace: input.namespace, labelSelector: input.label_selector, names: input.names }, tool).pipe(
          Effect.map((exported) => ({ exported, reveals: kube.settings.revealSecrets }))
        ))
      const { exported, reveals } = source
      const { info } = exported
      if (!info.namespaced && input.to_namespace !== undefined) {
        return yield* badInput("to_namespace", `to_namespace remaps namespaced objects; ${info.kind} is cluster-scoped`)
      }
      const toNamespace = info.namespaced ? input.to_namespace ?? exported.namespace : undefined
      if (input.from_context === input.to_context && toNamespace === exported.namespace) {
        return yield* badInput(
          "to_context",
          "from_context and to_context are the same context and the namespace is not remapped: the copy would be the objects themselves; " +
            "give another to_context or a to_namespace"
        )
      }
      const kind = { kind: info.kind, apiVersion: info.apiVersion }
      // masked values would overwrite the target's Secrets with placeholders
      const secretsHidden = info.group === "" && info.kind === "Secret" && !reveals
      const toCopy = secretsHidden ? [] : exported.objects
      const refused: Array<SkippedObject> = secretsHidden
        ? exported.objects.map((o) => ({
          name: o.name,
          namespace: o.namespace,
          reason: `Secret values are masked on ${input.from_context} (reveal_secrets is off there), so a copy would write placeholders; ` +
            `set [contexts."${input.from_context}"] reveal_secrets = true in the configuration to copy Secrets`
        }))
        : []
      const applied = yield* fleet.on(input.to_context, () =>
        Effect.gen(function*() {
          const ns = toNamespace !== undefined && toCopy.length > 0 ? yield* ensureNamespace(toNamespace, { fieldManager, dryRun, tool }) : undefined
          const copies = yield* applyCopies(toCopy, { toNamespace, fieldManager, dryRun, tool, namespaceMissing: ns !== undefined })
          return { ns, copies }
        }), { write: true })
      const nsRow: Array<Row> = applied.ns === undefined || toNamespace === undefined ? [] : [{
        kind: "Namespace",
        apiVersion: "v1",
        name: toNamespace,
        action: "created",
        ...(applied.ns !== "would be created" ? resourceVersionOf(applied.ns) : {})
      }]
      const rows: Array<Row> = [
        ...nsRow,
        ...applied.copies.map((c) => rowOf(kind, c)),
        ...[...exported.skipped, ...refused].map((s) => skippedRow(kind, s)),
        ...exported.missing.map((name): Row => ({
          ...kind,
          name,
          ...(toNamespace !== undefined ? { namespace: toNamespace } : {}),
          action: "failed",
          error: { type: "NotFound", message: `${info.kind} "${name}" not found on ${input.from_context}${exported.namespace !== undefined ? ` in namespace "${exported.namespace}"` : ""}` }
        }))
      ]
      const counts = Object.fromEntries(ACTIONS.map((a) => [a, rows.filter((r) => r.action === a).length]))
      const summary = ACTIONS.filter((a) => (counts[a] ?? 0) > 0).map((a) => `${counts[a]} ${verb(a, dryRun)}`).join(", ") || "nothing to copy"
      const from = `${input.from_context}${exported.namespace !== undefined ? ` (namespace ${exported.namespace})` : ""}`
      const to = `${input.to_context}${toNamespace !== undefined ? ` (namespace ${toNamespace})` : ""}`
      const reply: Reply = text({
        text: [
          ...(dryRun ? [DRY_RUN_NOTE] : []),
          `${info.kind} ${info.apiVersion} from ${from} to ${to}:`,
          ...(rows.length === 0 ? ["  no objects matched"] : rows.flatMap((r) => lineOf(r, dryRun))),
          ...(exported.more ? ["More objects match than one call copies; narrow with label_selector or names and call again."] : []),
          `Summary: ${summary}`
        ].join("\n"),
        data: {
          dry_run: dryRun,
          ...(dryRun ? { note: DRY_RUN_NOTE } : {}),
          from_context: input.from_context,
          to_context: input.to_context,
          ...(exported.namespace !== undefined ? { from_namespace: exported.namespace } : {}),
          ...(toNamespace !== undefined ? { to_namespace: toNamespace } : {}),
          results: rows,
          summary,
          counts
        },
        narrow: "label_selector or names"
      })
      return reply
    })
})
