/** Parameter schemas shared by tools: bounded, described, so bad input fails validation, not the cluster call. */
import { Result, Schema } from "effect"
import { MAX_SPEC_LENGTH, parseColumnSpec } from "../kube/columns.js"
import { GROUP_PATTERN, VERSION_PATTERN } from "../kube/discovery.js"
import { RELEASE_NAME_PATTERN } from "../kube/helm.js"
import { PAGE_SIZE } from "../kube/paging.js"
import { DEFAULT_WAIT_TIMEOUT_S, MAX_WAIT_TIMEOUT_S } from "../kube/wait.js"

export const Name = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253)).annotate({ description: "object name" })
export const NamespaceParam = Schema.String.check(Schema.isMaxLength(63)).annotate({
  description: "namespace; omit for the context's namespace"
})
export const AllNamespaces = Schema.Boolean.annotate({ description: "list across all namespaces" })
export const LabelSelector = Schema.String.check(Schema.isMaxLength(4096)).annotate({
  description: "label selector, e.g. app=web,tier!=cache"
})
export const FieldSelector = Schema.String.check(Schema.isMaxLength(4096)).annotate({
  description: "field selector, e.g. status.phase=Running"
})

export const Limit = Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 5000 })).annotate({
  description: `maximum number of items to fetch (default ${PAGE_SIZE}); when more exist the result carries a continue token. ` +
    `A larger limit is read ${PAGE_SIZE} at a time until the answer's byte budget is full, and the continue token resumes after the last item read`
})
export const Continue = Schema.String.check(Schema.isMaxLength(8192)).annotate({
  description: "continue token from a previous call's result"
})
/**
 * kubectl's custom-columns: checked when the arguments are decoded (so a call across contexts is refused once,
 * with the rule), then parsed by the tool with the same domain function (kube/columns.ts).
 */
export const Columns = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(MAX_SPEC_LENGTH),
  Schema.makeFilter((s) => {
    const parsed = parseColumnSpec(s)
    return Result.isSuccess(parsed) ? true : parsed.failure
  }, { toJsonSchema: () => ({}) })
).annotate({
  description: "kubectl custom-columns: HEADER:JSONPATH pairs separated by commas, replacing the default columns, e.g. " +
    "NAME:.metadata.name,IMAGES:.spec.containers[*].image or NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")].status. " +
    "Full objects are read and projected; several matches are joined with \",\", a missing field is <none>; Secret values stay masked. " +
    "Add NAMESPACE:.metadata.namespace yourself with all_namespaces"
})
export const Output = Schema.Literals(["summary", "yaml", "json"]).annotate({
  description: "summary (default, compact) or the full object as yaml/json (still budgeted, managedFields removed)"
})

/** Any kind (resources_*): group/version/kind as the seed names them. */
export const Group = Schema.String.check(Schema.isMaxLength(253), Schema.isPattern(GROUP_PATTERN)).annotate({
  description: "API group, e.g. \"apps\", \"batch\", \"networking.k8s.io\" or a CRD's group; \"\" or omitted for the core group (Pod, Service, ConfigMap, Secret, ...)"
})
export const Version = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(63), Schema.isPattern(VERSION_PATTERN)).annotate({
  description: "API version within the group, e.g. \"v1\""
})
export const Kind = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100), Schema.isPattern(/^[A-Za-z][A-Za-z0-9]*$/u)).annotate({
  description: "kind, e.g. \"Deployment\" (the plural \"deployments\" or a short name such as \"deploy\" also works)"
})
/** The fields that name a kind; with a name (and namespace) they name one object. */
export const gvkFields = { group: Schema.optionalKey(Group), version: Version, kind: Kind }

export const DryRun = Schema.Boolean.annotate({
  description: "validate and run admission on the server without persisting anything (dryRun=All); the result shows what would happen"
})
/** The first line of a dry run's answer (and its `note`), the same for every tool that takes `dry_run`. */
export const DRY_RUN_NOTE = "Dry run: nothing was persisted."
export const FieldManager = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128)).annotate({
  description: "field manager name recorded for server-side apply (default \"kube-mcp\")"
})
export const Force = Schema.Boolean.annotate({
  description: "take ownership of fields another field manager owns instead of failing with a Conflict"
})

/** The list parameters every list tool shares, as the domain layer's list options (one translation). */
export const listOptionsOf = (input: {
  readonly namespace?: string
  readonly all_namespaces?: boolean
  readonly label_selector?: string
  readonly field_selector?: string
  readonly limit?: number
  readonly continue?: string
}) => ({
  namespace: input.namespace,
  allNamespaces: input.all_namespaces,
  labelSelector: input.label_selector,
  fieldSelector: input.field_selector,
  limit: input.limit,
  continue: input.continue
})

export const Names = Schema.Array(Name).check(Schema.isMinLength(1), Schema.isMaxLength(200)).annotate({
  description: "only the objects with these names (up to 200); omit for every object that matches"
})

/** rollout_*: the workload kinds kubectl rollout acts on (all in apps/v1). */
export const WorkloadKind = Schema.Literals(["Deployment", "StatefulSet", "DaemonSet"]).annotate({
  description: "the workload's kind (apps/v1): Deployment, StatefulSet or DaemonSet"
})

/** Waits (resources_wait, rollout_status with wait): bounded, in seconds. */
export const WaitTimeout = Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: MAX_WAIT_TIMEOUT_S })).annotate({
  description: `seconds to wait at most (default ${DEFAULT_WAIT_TIMEOUT_S}, max ${MAX_WAIT_TIMEOUT_S}); still not there by then is a Timeout error with the last state seen`
})

/** A key of a ConfigMap's or Secret's data, as the API server accepts it. */
export const DataKey = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253), Schema.isPattern(/^[-._a-zA-Z0-9]+$/u)).annotate({
  description: "a data key: letters, digits, '-', '_' and '.', e.g. \"config.yaml\""
})

/** Helm (helm_*): a release name as helm accepts it. */
export const ReleaseName = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(53),
  Schema.isPattern(RELEASE_NAME_PATTERN, { expected: "a release name: lowercase letters, digits, '-' and '.', at most 53 characters" })
).annotate({ description: "helm release name" })
export const Revision = Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1_000_000 })).annotate({
  description: "release revision (helm_history lists them); omit for the newest"
})
export const HelmValues = Schema.Record(Schema.String, Schema.Unknown).annotate({
  description: "chart values as a JSON object (like a values.yaml given with -f); passed to helm in a private file, " +
    "never echoed back unless the context reveals secrets"
})
export const HelmWait = Schema.Boolean.annotate({
  description: "wait until the release's resources are ready (helm --wait), up to [helm] timeout"
})
export const HelmDryRun = Schema.Boolean.annotate({
  description: "simulate only: install/upgrade render the chart and validate it on the server (helm --dry-run=server); nothing is changed"
})
export const ChartRef = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(2048),
  Schema.isPattern(/^[^-\s]/u, { expected: "a chart path or reference (not starting with '-' or whitespace)" })
).annotate({
  description: "the chart: a path on the server's file system to a chart directory or packaged .tgz (absolute paths are " +
    "safest), a repository reference (repo/name, with the repository added to the server's helm), or an oci:// reference"
})
export const ChartVersion = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128)).annotate({
  description: "chart version constraint (helm --version), for repository and OCI charts; omit for the latest"
})
