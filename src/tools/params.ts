/** Parameter schemas shared by tools: bounded, described, so bad input fails validation, not the cluster call. */
import { Schema } from "effect"

export const Name = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(253)).annotations({ description: "object name" })
export const NamespaceParam = Schema.String.pipe(Schema.maxLength(63)).annotations({
  description: "namespace; omit for the context's namespace"
})
export const AllNamespaces = Schema.Boolean.annotations({ description: "list across all namespaces" })
export const LabelSelector = Schema.String.pipe(Schema.maxLength(4096)).annotations({
  description: "label selector, e.g. app=web,tier!=cache"
})
export const FieldSelector = Schema.String.pipe(Schema.maxLength(4096)).annotations({
  description: "field selector, e.g. status.phase=Running"
})
/** Lists never pull a whole large cluster into memory: without `limit` the API server pages at this size. */
export const DEFAULT_PAGE_SIZE = 500

export const Limit = Schema.Number.pipe(Schema.int(), Schema.between(1, 5000)).annotations({
  description: `maximum number of items to fetch (default ${DEFAULT_PAGE_SIZE}); when more exist the result carries a continue token`
})
export const Continue = Schema.String.pipe(Schema.maxLength(8192)).annotations({
  description: "continue token from a previous call's result"
})
export const Output = Schema.Literal("summary", "yaml", "json").annotations({
  description: "summary (default, compact) or the full object as yaml/json (still budgeted, managedFields removed)"
})
