/**
 * The one namespace rule every tool follows (../shared/spec/TOOLS.md): an omitted or empty `namespace` means
 * the context's namespace; list tools take `all_namespaces: true` for every namespace, and refuse it together
 * with a namespace rather than silently ignoring one of the two.
 */
import { Effect } from "effect"
import { InvalidInput } from "../errors.js"

export const namespaceOr = (namespace: string | undefined, contextNamespace: string): string =>
  namespace !== undefined && namespace !== "" ? namespace : contextNamespace

export type ListScope = { readonly all: true } | { readonly all: false; readonly namespace: string }

export const listScope = (
  input: { readonly namespace?: string | undefined; readonly all_namespaces?: boolean | undefined },
  contextNamespace: string
): Effect.Effect<ListScope, InvalidInput> =>
  input.all_namespaces === true
    ? input.namespace !== undefined && input.namespace !== ""
      ? Effect.fail(new InvalidInput({
        message: `Give either namespace or all_namespaces, not both (got namespace "${input.namespace}" and all_namespaces: true)`,
        issues: [{ path: "all_namespaces", message: "not allowed together with namespace" }]
      }))
      : Effect.succeed({ all: true })
    : Effect.succeed({ all: false, namespace: namespaceOr(input.namespace, contextNamespace) })

/** A field selector value as the API server parses it (fields.EscapeValue): a value cannot add terms. */
export const selectorValue = (v: string): string => v.replace(/[\\,=]/g, (c) => `\\${c}`)
