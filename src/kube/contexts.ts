/**
 * The contexts this server can reach and the kubeconfig they come from, as the ClusterRegistry knows them:
 * local answers, no API call (so no Kube).
 */
import { Effect } from "effect"
import { ClusterRegistry, type ContextInfo } from "../cluster/registry.js"

export interface Contexts {
  /** Sorted by name. */
  readonly contexts: ReadonlyArray<ContextInfo>
  /** The default context (current-context). */
  readonly current: string
}

export const listContexts: Effect.Effect<Contexts, never, ClusterRegistry> = Effect.flatMap(Effect.service(ClusterRegistry), (r) => r.contexts)

/** The kubeconfig in use with every credential redacted; `minified`: the current context, its cluster and user only. */
export const kubeconfigView = (minified: boolean): Effect.Effect<Readonly<Record<string, unknown>>, never, ClusterRegistry> =>
  Effect.flatMap(Effect.service(ClusterRegistry), (r) => r.view(minified))
