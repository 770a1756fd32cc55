/** Parameter schemas shared by tools: bounded, described, so bad input fails validation, not the cluster call. */
import { Schema } from "effect"
import { PAGE_SIZE } from "../kube/paging.js"

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
  description: `maximum number of items to fetch (default ${PAGE_SIZE}); when more exist the result carries a continue token`
})
export const Continue = Schema.String.check(Schema.isMaxLength(8192)).annotate({
  description: "continue token from a previous call's result"
})
export const Output = Schema.Literals(["summary", "yaml", "json"]).annotate({
  description: "summary (default, compact) or the full object as yaml/json (still budgeted, managedFields removed)"
})
