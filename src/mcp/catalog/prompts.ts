/**
 * Prompts for the jobs people bring to this server. Each one is a plan in words that names our tools with the
 * exact arguments to pass, resolved against the cluster where that helps (a kind's group and version from
 * discovery, the contexts a pattern selects), so the model starts with calls that work. Arguments are checked
 * first: an unknown prompt or argument, a missing required one, or a context that does not exist is refused
 * with INVALID_PARAMS stating the rule.
 */
import { Effect } from "effect"
import { type KubeError, NotFound, type ToolError } from "../../errors.js"
import { findServedKind, servedResources, typeName } from "../../kube/discovery.js"
import type { ResourceInfo } from "../../kube/Kube.js"
import { selectContexts } from "../../tool/fanout.js"
import { onContext, type ToolEnv } from "../../tool/tool.js"
import { type CatalogError, fromToolError, INVALID_PARAMS, invalidParams } from "./error.js"
import type { GetPromptResult, Prompt, PromptArgument } from "./types.js"

type Args = Readonly<Record<string, string>>

interface PromptSpec {
  readonly prompt: Prompt & { readonly arguments: Array<PromptArgument> }
  /** The user message, from arguments already checked (required ones present, values bounded). */
  readonly render: (args: Args) => Effect.Effect<string, CatalogError | ToolError, ToolEnv>
}

/** Arguments are names, patterns and selectors: none needs more. */
const MAX_ARGUMENT = 1024
const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u

const CONTEXT: PromptArgument = { name: "context", description: "kubeconfig context; default: the current context (see config_contexts_list)" }
const NAMESPACE: PromptArgument = { name: "namespace", description: "namespace; default: the context's namespace" }

/** A tool call as the model should make it: the name, then its arguments as JSON. */
const call = (tool: string, args: Readonly<Record<string, unknown>>): string =>
  `${tool} ${JSON.stringify(Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined && v !== "")))}`

const gvk = (info: ResourceInfo) => ({ group: info.group, version: info.version, kind: info.kind })

/** Comma-separated list arguments (contexts, kinds): trimmed, empty items dropped. */
export const listArgument = (value: string | undefined): ReadonlyArray<string> =>
  (value ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")

const checkNamespace = (name: string, value: string | undefined): Effect.Effect<void, CatalogError> =>
  value === undefined || NAMESPACE_PATTERN.test(value) && value.length <= 63
    ? Effect.void
    : Effect.fail(invalidParams(`${name} must be a namespace name (lower-case DNS label, at most 63 characters), got ${JSON.stringify(value)}`))

/** The context a prompt is about: resolved (so it exists and is visible), with its namespace and the kinds it serves. */
interface Resolved {
  readonly context: string
  readonly namespace: string
  readonly kinds: ReadonlyArray<ResourceInfo>
}

const resolveContext = (context: string | undefined): Effect.Effect<Resolved, ToolError, ToolEnv> =>
  onContext(context, (kube) =>
    Effect.map(servedResources, (kinds) => ({ context: kube.info.name, namespace: kube.info.namespace, kinds })))

const notServed = (r: Resolved, kinds: ReadonlyArray<string>): NotFound =>
  new NotFound({
    context: r.context,
    message: `${kinds.length === 1 ? "Kind" : "Kinds"} ${kinds.map((k) => `"${k}"`).join(", ")} ${kinds.length === 1 ? "is" : "are"} not served by context "${r.context}"`,
    details: "Kinds are completed from the cluster's discovery (completion/complete), e.g. Deployment, StatefulSet, ConfigMap."
  })

/** The served resource a kind names on the context; a kind it does not serve is a NotFound saying so. */
const kindOf = (r: Resolved, kind: string): Effect.Effect<ResourceInfo, KubeError> => {
  const info = findServedKind(r.kinds, kind)
  return info !== undefined ? Effect.succeed(info) : Effect.fail(notServed(r, [kind]))
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"])

const troubleshoot: PromptSpec = {
  prompt: {
    name: "troubleshoot_workload",
    title: "Troubleshoot a workload",
    description: "Find out why a workload (Deployment, StatefulSet, DaemonSet, Job, Pod, …) is unhealthy: describe it, follow it to its " +
      "Pods, read their Warning events and the logs of crashed containers (previous instance), then name the cause and the fix.",
    arguments: [
      { name: "name", description: "name of the workload", required: true },
      { name: "kind", description: "its kind: Deployment (default), StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, Pod or a CRD's kind" },
      NAMESPACE,
      CONTEXT
    ]
  },
  render: (args) =>
    Effect.gen(function*() {
      const r = yield* resolveContext(args["context"])
      const info = yield* kindOf(r, args["kind"] ?? "Deployment")
      const namespace = info.namespaced ? args["namespace"] ?? r.namespace : undefined
      const where = { context: r.context, namespace }
      const target = { ...where, ...gvk(info), name: args["name"] }
      const pod = info.kind === "Pod" && info.group === ""
      const steps = [
        `${call("resources_describe", target)} — its status, conditions and recent events, as kubectl describe shows them.`,
        ...(pod ? [] : [
          `${call("resources_relationships", target)} — what it owns down to its Pods (and who owns it), with each Pod's status.`
        ]),
        `${call("events_list", { ...where, involved_name: args["name"], type: "Warning" })} — then the same with involved_name set to each Pod that is not Ready.`,
        `For ${pod ? "the Pod" : "each Pod that is not Running and Ready, or has restarted"}: ` +
          `${call("pods_get", { ...where, name: pod ? args["name"] : "<pod>" })} for each container's state, restart count, last termination reason and exit code; ` +
          `${call("pods_logs", { ...where, name: pod ? args["name"] : "<pod>", container: "<container>", previous: true, tail_lines: 200 })} for a container that restarted (the log of the crashed instance), ` +
          `and the same without previous for the running one.`,
        ...(info.group === "apps" && WORKLOADS.has(info.kind)
          ? [`${call("rollout_status", { ...where, kind: info.kind, name: args["name"] })} — whether a rollout is stuck, and at which revision.`]
          : [])
      ]
      return [
        `Troubleshoot the ${info.kind} "${args["name"]}"${namespace !== undefined ? ` in namespace "${namespace}"` : ""} on context "${r.context}" with the kube-mcp tools. ` +
        "Only read: change nothing unless I ask.",
        "",
        ...steps.map((s, i) => `${i + 1}. ${s}`),
        "",
        "Then answer: the most likely cause first, the evidence for it (quote the event or log lines), and the fix (the command, " +
        "or the change to the manifest). Say what you could not check and why (a Forbidden or PolicyDenied error names the rule)."
      ].join("\n")
    })
}

const fleetHealth: PromptSpec = {
  prompt: {
    name: "fleet_health",
    title: "Fleet health across contexts",
    description: "A health report of many clusters at once: clusters_overview across the contexts, then nodes, Warning events and " +
      "failing Pods of every cluster that shows a problem, summed up as a table and a short list of what to do first.",
    arguments: [
      { name: "contexts", description: "the contexts to check: comma-separated names or glob patterns, e.g. prod-*,staging; default: every context" }
    ]
  },
  render: (args) =>
    Effect.gen(function*() {
      const patterns = listArgument(args["contexts"])
      const names = yield* selectContexts(patterns.length > 0 ? patterns : ["*"])
      const across = patterns.length > 0 ? { contexts: patterns } : {}
      return [
        `Give me a health report of ${names.length} Kubernetes context(s) (${names.join(", ")}) with the kube-mcp tools. Only read.`,
        "",
        `1. ${call("config_contexts_list", {})} — the contexts and the default one.`,
        `2. ${call("clusters_overview", across)} — one row per context: reachable (or why not), version, nodes ready/total, pods not ` +
        "Running with their top reasons, Warning events of the last hour.",
        "3. For each context that is unreachable, has nodes not ready, failing Pods or many Warning events:",
        `   - ${call("nodes_summary", { context: "<context>" })} — node conditions, pressure and taints;`,
        `   - ${call("events_list", { context: "<context>", all_namespaces: true, type: "Warning", since: "1h" })} — what went wrong recently;`,
        `   - ${call("pods_list", { context: "<context>", all_namespaces: true, field_selector: "status.phase!=Running,status.phase!=Succeeded" })} — the Pods that are not running.`,
        "",
        "Report a table (context, reachable, version, nodes ready/total, failing pods, top problem), then the problems that need " +
        "attention, most urgent first, each with its evidence and the next step. A context that did not answer is a finding, not a gap."
      ].join("\n")
    })
}

const compare: PromptSpec = {
  prompt: {
    name: "compare_resource",
    title: "Compare a resource across clusters",
    description: "Compare one object, or every object of a kind in a namespace, across clusters with resources_compare, and explain " +
      "which differences are expected per environment and which are drift.",
    arguments: [
      { name: "kind", description: "the kind to compare, e.g. Deployment, ConfigMap, Service or a CRD's kind", required: true },
      { name: "contexts", description: "at least two contexts: comma-separated names or glob patterns, e.g. dev-cluster,prod-cluster or prod-*", required: true },
      { name: "name", description: "the object to compare; omit to compare every object of the kind in the namespace" },
      { name: "namespace", description: "namespace in every context; default: each context's own namespace" }
    ]
  },
  render: (args) =>
    Effect.gen(function*() {
      const patterns = listArgument(args["contexts"])
      const names = yield* selectContexts(patterns)
      if (names.length < 2) {
        return yield* invalidParams(`contexts must select at least two contexts to compare, got ${names.length} (${names.join(", ")})`)
      }
      const r = yield* resolveContext(names[0])
      const info = yield* kindOf(r, args["kind"] ?? "")
      const target = { ...gvk(info), name: args["name"], namespace: args["namespace"], contexts: patterns }
      return [
        `Compare ${args["name"] !== undefined ? `the ${info.kind} "${args["name"]}"` : `every ${info.kind} (${typeName(info)})`}` +
        `${args["namespace"] !== undefined ? ` in namespace "${args["namespace"]}"` : ""} across ${names.join(", ")} with the kube-mcp tools. Only read.`,
        "",
        `1. ${call("resources_compare", target)} — which fields differ, context by context (Secret values are compared without being shown).`,
        `2. For a difference you need to see whole: ${call("resources_get", { context: "<context>", ...gvk(info), name: args["name"] ?? "<name>", namespace: args["namespace"] })} on each side.`,
        "",
        "Then sort the differences: expected per environment (replicas, resource sizes, hostnames, environment-specific configuration) " +
        "versus drift (images, probes, security settings, labels and selectors, objects present on one side only). For drift, say " +
        "which side looks right and how to reconcile it (resources_copy with dry_run, or resources_apply), without changing anything."
      ].join("\n")
    })
}

/** The kinds a DR copy of a namespace usually needs, in the order they are applied (what others refer to first). */
export const DR_KINDS = [
  "ServiceAccount", "ConfigMap", "Secret", "Role", "RoleBinding", "PersistentVolumeClaim", "Service",
  "Deployment", "StatefulSet", "DaemonSet", "CronJob", "Ingress"
] as const

const drCopy: PromptSpec = {
  prompt: {
    name: "plan_dr_copy",
    title: "Plan a disaster-recovery copy",
    description: "Plan a copy of a namespace's objects to another cluster for disaster recovery: inventory, clean manifests " +
      "(resources_export) and a dry run of resources_copy per kind, then a plan with the exact calls to run — nothing is changed.",
    arguments: [
      { name: "from_context", description: "the context to copy from (only read)", required: true },
      { name: "to_context", description: "the context to copy to (the DR cluster)", required: true },
      { name: "namespace", description: "the namespace to copy", required: true },
      { name: "to_namespace", description: "its namespace on to_context; default: the same name" },
      { name: "kinds", description: `comma-separated kinds to copy, in order; default: ${DR_KINDS.join(", ")}` },
      { name: "label_selector", description: "copy only the objects matching this label selector, e.g. app=shop" }
    ]
  },
  render: (args) =>
    Effect.gen(function*() {
      const namespace = args["namespace"] ?? ""
      const toNamespace = args["to_namespace"] ?? namespace
      const from = yield* resolveContext(args["from_context"])
      const to = yield* resolveContext(args["to_context"])
      if (from.context === to.context) return yield* invalidParams(`from_context and to_context must differ (both are "${from.context}")`)
      const asked = listArgument(args["kinds"])
      const kinds = asked.length > 0 ? asked : DR_KINDS
      const found = kinds.map((k) => ({ kind: k, info: findServedKind(from.kinds, k) }))
      const missing = found.filter((f) => f.info === undefined).map((f) => f.kind)
      // kinds the user named must exist; of the default list, those the cluster lacks are only noted
      if (asked.length > 0 && missing.length > 0) return yield* notServed(from, missing)
      const served = found.flatMap((f) => (f.info !== undefined ? [f.info] : []))
      const selector = args["label_selector"]
      const perKind = (tool: string, extra: Readonly<Record<string, unknown>>) =>
        served.map((info) => `   - ${call(tool, { ...extra, ...gvk(info), namespace: info.namespaced ? namespace : undefined, label_selector: selector })}`)
      return [
        `Plan a disaster-recovery copy of namespace "${namespace}" from context "${from.context}" to context "${to.context}"` +
        `${toNamespace !== namespace ? ` (namespace "${toNamespace}" there)` : ""} with the kube-mcp tools. Change nothing: every copy below is a dry run.`,
        "",
        `1. ${call("config_contexts_list", {})} — confirm both contexts; if "${to.context}" is read-only the copy cannot run there: say so.`,
        `2. Inventory on ${from.context}, per kind:`,
        ...perKind("resources_list", { context: from.context }),
        "3. What would be copied: clean manifests per kind (note what is skipped and why, e.g. objects a controller creates):",
        ...perKind("resources_export", { context: from.context }),
        "4. Dry run, per kind and in this order:",
        ...perKind("resources_copy", { from_context: from.context, to_context: to.context, to_namespace: toNamespace !== namespace ? toNamespace : undefined, dry_run: true }),
        "   Read each result: what would be created, configured, unchanged or skipped, and every error (Forbidden, Invalid, Conflict).",
        `5. Where objects exist on both sides: ${
          call("resources_compare", {
            group: "<group>",
            version: "<version>",
            kind: "<kind>",
            contexts: [from.context, to.context],
            ...(toNamespace !== namespace ? { namespaces: { [from.context]: namespace, [to.context]: toNamespace } } : { namespace })
          })
        } to see the drift.`,
        ...(missing.length > 0 ? ["", `Not served by ${from.context}, so left out: ${missing.join(", ")}.`] : []),
        "",
        "Then write the plan: the order of the copy, what would be created or changed on the DR side, what is skipped and must be " +
        "handled another way (the data in PersistentVolumes is not copied; cluster-scoped objects and CRDs must exist on the target " +
        "first), the risks, and the exact resources_copy calls with dry_run: false that would run it. Do not run them until I confirm."
      ].join("\n")
    })
}

const SPECS: ReadonlyArray<PromptSpec> = [troubleshoot, fleetHealth, compare, drCopy]

export const prompts: ReadonlyArray<Prompt> = SPECS.map((s) => s.prompt)

/** The prompt's argument a name refers to, for completion. */
export const promptArgument = (prompt: string, argument: string): PromptArgument | undefined =>
  SPECS.find((s) => s.prompt.name === prompt)?.prompt.arguments.find((a) => a.name === argument)

/** The arguments, checked against the prompt's declaration: no unknown one, every required one given, all bounded. */
const checkArgs = (spec: PromptSpec, args: Args): Effect.Effect<Args, CatalogError> =>
  Effect.gen(function*() {
    const declared = spec.prompt.arguments
    const names = declared.map((a) => a.name).join(", ")
    const given: Record<string, string> = {}
    for (const [k, v] of Object.entries(args)) {
      if (!declared.some((a) => a.name === k)) {
        return yield* invalidParams(`Prompt ${spec.prompt.name} has no argument "${k}" (its arguments: ${names})`)
      }
      if (v.length > MAX_ARGUMENT) return yield* invalidParams(`Argument "${k}" of prompt ${spec.prompt.name} is at most ${MAX_ARGUMENT} characters`)
      // an empty value is an argument not given (clients send "" for untouched fields)
      if (v.trim() !== "") given[k] = v.trim()
    }
    const missing = declared.filter((a) => a.required === true && given[a.name] === undefined)
    if (missing.length > 0) {
      return yield* invalidParams(
        `Prompt ${spec.prompt.name} needs ${missing.map((a) => `argument "${a.name}" (${a.description ?? ""})`).join(" and ")}`,
        { missing: missing.map((a) => a.name) }
      )
    }
    yield* checkNamespace("namespace", given["namespace"])
    yield* checkNamespace("to_namespace", given["to_namespace"])
    return given
  })

export const getPrompt = (name: string, args: Args): Effect.Effect<GetPromptResult, CatalogError, ToolEnv> =>
  Effect.gen(function*() {
    const spec = SPECS.find((s) => s.prompt.name === name)
    if (spec === undefined) {
      return yield* invalidParams(`Unknown prompt "${name}"; the prompts are: ${SPECS.map((s) => s.prompt.name).join(", ")}`)
    }
    const checked = yield* checkArgs(spec, args)
    const text = yield* spec.render(checked).pipe(
      Effect.mapError((e) => (e._tag === "CatalogError" ? e : fromToolError(e, `prompts/get ${name}`, INVALID_PARAMS)))
    )
    return {
      ...(spec.prompt.description !== undefined ? { description: spec.prompt.description } : {}),
      messages: [{ role: "user", content: { type: "text", text } }]
    }
  })
