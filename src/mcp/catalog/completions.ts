/**
 * completion/complete for prompt arguments and resource-template variables: context names (visible ones only),
 * API groups and versions, kinds (from the context's discovery cache), namespaces and object names (one list
 * page, metadata only). Values match the typed prefix (case-insensitively), at most 100 of them, with `total`
 * when every match is known and `hasMore` when there are more. Completion is a convenience: it never fails and
 * never waits long — an error, a refusal (policy, RBAC) or a slow cluster gives no values.
 */
import { Cause, Effect, Option } from "effect"
import { listContexts } from "../../kube/contexts.js"
import { findServedKind, resolveKind, servedGroups, servedResources } from "../../kube/discovery.js"
import type { KubeApi, ResourceInfo } from "../../kube/Kube.js"
import { listNamespaces } from "../../kube/namespaces.js"
import { listNames } from "../../kube/objectNames.js"
import { resourceName } from "../../kube/policy.js"
import { onContext, type ToolEnv } from "../../tool/tool.js"
import { listArgument, promptArgument } from "./prompts.js"
import type { CompleteRef, CompleteResult } from "./types.js"
import { CLUSTER_OBJECT_TEMPLATE, CORE_GROUP, OBJECT_TEMPLATE } from "./uri.js"

/** MCP's cap on the values of one answer. */
export const MAX_VALUES = 100
/** Objects (and namespaces) read for one completion: one page. */
const LIST_LIMIT = 500
/** A completion answers while the user types: past this, it answers with nothing. */
const DEADLINE = "3 seconds"

const EMPTY: CompleteResult = { completion: { values: [], total: 0, hasMore: false } }

/** What can be offered: the candidates, and whether they are all there are. */
interface Candidates {
  readonly values: ReadonlyArray<string>
  readonly complete: boolean
}

const all = (values: ReadonlyArray<string>): Candidates => ({ values, complete: true })

/** The candidates that start with `prefix`, sorted, at most MAX_VALUES. */
export const matching = (c: Candidates, prefix: string, head = ""): CompleteResult => {
  const p = prefix.toLowerCase()
  const matches = [...new Set(c.values)].filter((v) => v.toLowerCase().startsWith(p)).sort((a, b) => a.localeCompare(b))
  return {
    completion: {
      values: matches.slice(0, MAX_VALUES).map((v) => head + v),
      ...(c.complete ? { total: matches.length } : {}),
      hasMore: matches.length > MAX_VALUES || !c.complete
    }
  }
}

/** A comma-separated list (contexts, kinds): completes its last item, without repeating the ones before. */
const lastItem = (c: Candidates, value: string): CompleteResult => {
  const cut = value.lastIndexOf(",")
  const head = cut < 0 ? "" : value.slice(0, cut + 1)
  const before = new Set(listArgument(head))
  return matching({ ...c, values: c.values.filter((v) => !before.has(v)) }, value.slice(cut + 1).trimStart(), head)
}

const contextNames: Effect.Effect<Candidates, never, ToolEnv> = Effect.map(listContexts, ({ contexts }) => all(contexts.map((c) => c.name)))

/** Kinds the context serves, without those its policy denies (completion never offers what a read would refuse). */
const allowedKinds = (kube: KubeApi, infos: ReadonlyArray<ResourceInfo>): ReadonlyArray<ResourceInfo> =>
  infos.filter((i) => !kube.settings.deniedResources.includes(resourceName(i)))

/**
 * The namespaces of the context. Its user may not list them (a namespaced role): then those the configuration
 * names (allowed_namespaces, else the context's own namespace), which are known without asking.
 */
const namespacesOf = (kube: KubeApi) =>
  listNamespaces({ limit: LIST_LIMIT }).pipe(
    Effect.map((page): Candidates => {
      const names = page.namespaces.map((n) => n.name)
      const allowed = kube.settings.allowedNamespaces
      return { values: allowed.length > 0 ? names.filter((n) => allowed.includes(n)) : names, complete: page.continue === undefined || page.continue === "" }
    }),
    Effect.orElseSucceed(() => all(kube.settings.allowedNamespaces.length > 0 ? kube.settings.allowedNamespaces : [kube.info.namespace]))
  )

const namesOf = (kube: KubeApi, info: ResourceInfo, namespace: string | undefined) =>
  listNames(info, info.namespaced ? namespace ?? kube.info.namespace : undefined, LIST_LIMIT).pipe(
    Effect.map((page): Candidates => ({ values: page.names, complete: !page.more }))
  )

const groupOf = (text: string | undefined): string => (text === CORE_GROUP || text === undefined ? "" : text)

/** A variable of the object templates, from the variables already given. */
const templateVariable = (
  template: string,
  variable: string,
  value: string,
  given: Readonly<Record<string, string>>
) => {
  if (variable === "context") return Effect.map(contextNames, (c) => matching(c, value))
  return onContext(given["context"], (kube) =>
    Effect.gen(function*() {
      const group = groupOf(given["group"])
      switch (variable) {
        case "group": {
          const groups = yield* servedGroups
          return matching(all(groups.map((g) => (g.group === "" ? CORE_GROUP : g.group))), value)
        }
        case "version": {
          const groups = yield* servedGroups
          return matching(all(groups.find((g) => g.group === group)?.versions ?? []), value)
        }
        case "kind": {
          const version = given["version"]
          const infos = version !== undefined ? yield* kube.resources({ group, version }) : yield* servedResources
          // each template takes the kinds of its own scope
          const scoped = allowedKinds(kube, infos).filter((i) => i.namespaced === (template === OBJECT_TEMPLATE))
          return matching(all(scoped.map((i) => i.kind)), value)
        }
        case "namespace":
          return matching(yield* namespacesOf(kube), value)
        case "name": {
          const version = given["version"]
          const kind = given["kind"]
          if (version === undefined || kind === undefined) return EMPTY
          const info = yield* resolveKind({ group, version, kind })
          return matching(yield* namesOf(kube, info, given["namespace"]), value)
        }
        default:
          return EMPTY
      }
    }))
}

/** An argument of a prompt, from the arguments already given (the context they name, the kind). */
const promptVariable = (prompt: string, argument: string, value: string, given: Readonly<Record<string, string>>) => {
  if (promptArgument(prompt, argument) === undefined) return Effect.succeed(EMPTY)
  if (argument === "context" || argument === "from_context" || argument === "to_context") return Effect.map(contextNames, (c) => matching(c, value))
  if (argument === "contexts") return Effect.map(contextNames, (c) => lastItem(c, value))
  // the context the argument is about: to_namespace is on to_context, everything else on the (first) source
  const context = argument === "to_namespace"
    ? given["to_context"]
    : given["context"] ?? given["from_context"] ?? listArgument(given["contexts"]).find((c) => !/[*?[]/u.test(c))
  return onContext(context, (kube) =>
    Effect.gen(function*() {
      switch (argument) {
        case "namespace":
        case "to_namespace":
          return matching(yield* namespacesOf(kube), value)
        case "kind":
          return matching(all(allowedKinds(kube, yield* servedResources).map((i) => i.kind)), value)
        case "kinds":
          return lastItem(all(allowedKinds(kube, yield* servedResources).map((i) => i.kind)), value)
        case "name": {
          const info = findServedKind(yield* servedResources, given["kind"] ?? "Deployment")
          return info === undefined ? EMPTY : matching(yield* namesOf(kube, info, given["namespace"]), value)
        }
        default:
          return EMPTY
      }
    }))
}

export const complete = (
  ref: CompleteRef,
  argument: { readonly name: string; readonly value: string },
  context: Readonly<Record<string, string>>
): Effect.Effect<CompleteResult, never, ToolEnv> => {
  const run = ref.type === "ref/prompt"
    ? promptVariable(ref.name, argument.name, argument.value, context)
    : ref.uri === OBJECT_TEMPLATE || ref.uri === CLUSTER_OBJECT_TEMPLATE
    ? templateVariable(ref.uri, argument.name, argument.value, context)
    : Effect.succeed(EMPTY)
  return run.pipe(
    Effect.timeoutOption(DEADLINE),
    Effect.map(Option.getOrElse(() => EMPTY)),
    Effect.catchCause((cause) =>
      Cause.hasInterruptsOnly(cause)
        ? Effect.interrupt
        : Effect.logDebug("completion found nothing", Cause.pretty(cause)).pipe(Effect.as(EMPTY))
    )
  )
}
