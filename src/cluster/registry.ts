/**
 * ClusterRegistry: the one port every tool reaches clusters through. Providers (kubeconfig, in-cluster,
 * single) differ only in their ContextSource; handle caching and invalidation live here once.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Context, Effect, ExecutionStrategy, Exit, Scope } from "effect"
import { type Settings, settingsFor } from "../config/settings.js"
import { type KubeError, UnknownContext } from "../errors.js"
import { type ClusterHandle, makeHandle } from "./handle.js"

export type ProviderKind = "kubeconfig" | "in-cluster" | "single"

export interface ContextInfo {
  readonly name: string
  readonly cluster: string
  readonly user: string
  readonly namespace: string
}

export interface ContextEntry {
  readonly info: ContextInfo
  /** Changes whenever the context, its cluster or its user changes: the cached handle is then rebuilt. */
  readonly fingerprint: string
  readonly kubeConfig: () => KubeConfig
}

export interface Snapshot {
  readonly contexts: ReadonlyMap<string, ContextEntry>
  readonly current: string
  /** Why the source could not be read, if it could not (the server keeps serving and says so). */
  readonly problem?: string
  /** The kubeconfig as kubectl would show it, credentials redacted; minified = current context only. */
  readonly view: (minified: boolean) => Readonly<Record<string, unknown>>
}

export interface ContextSource {
  readonly provider: ProviderKind
  /** Where contexts come from (kubeconfig files, the ServiceAccount directory), for the startup line. */
  readonly sources: ReadonlyArray<string>
  /** Cheap when nothing changed (a stat); re-reads the source otherwise. */
  readonly snapshot: Effect.Effect<Snapshot>
  /** Provider rules for turning the `context` parameter into a context name. */
  readonly pick: (requested: string, snapshot: Snapshot) => Effect.Effect<string, UnknownContext>
}

export interface ClusterRegistryShape {
  readonly provider: ProviderKind
  readonly contexts: Effect.Effect<{ readonly contexts: ReadonlyArray<ContextInfo>; readonly current: string }>
  readonly resolve: (context: string | undefined) => Effect.Effect<ClusterHandle, UnknownContext | KubeError>
  readonly view: (minified: boolean) => Effect.Effect<Readonly<Record<string, unknown>>>
  /** What the server runs on: provider, sources, how many contexts, the default, and any problem reading them. */
  readonly status: Effect.Effect<RegistryStatus>
}

export interface RegistryStatus {
  readonly provider: ProviderKind
  readonly sources: ReadonlyArray<string>
  readonly contexts: number
  readonly current: string
  readonly problem?: string
}

export class ClusterRegistry extends Context.Tag("kube-mcp/ClusterRegistry")<ClusterRegistry, ClusterRegistryShape>() {}

export const unknownContext = (requested: string, snapshot: Snapshot): UnknownContext => {
  const available = [...snapshot.contexts.keys()].sort()
  return new UnknownContext({
    context: requested,
    message: `Context '${requested}' not found in kubeconfig`,
    details: snapshot.problem ?? `Available contexts: ${available.join(", ") || "(none)"}`,
    available
  })
}

interface Cached {
  readonly fingerprint: string
  readonly handle: ClusterHandle
  readonly scope: Scope.CloseableScope
}

export const makeRegistry = (source: ContextSource, settings: Settings): Effect.Effect<ClusterRegistryShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const handles = new Map<string, Cached>()
    const lock = yield* Effect.makeSemaphore(1)
    const parent = yield* Effect.scope

    const drop = (name: string) =>
      Effect.suspend(() => {
        const c = handles.get(name)
        handles.delete(name)
        return c === undefined ? Effect.void : Scope.close(c.scope, Exit.void)
      })
    yield* Effect.addFinalizer(() => Effect.forEach([...handles.keys()], drop, { discard: true }))

    // Only handles whose context entry changed (or vanished) are rebuilt.
    const prune = (snapshot: Snapshot) =>
      Effect.forEach(
        [...handles.entries()].filter(([name, c]) => snapshot.contexts.get(name)?.fingerprint !== c.fingerprint),
        ([name]) => drop(name),
        { discard: true }
      )

    const build = (entry: ContextEntry) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const existing = handles.get(entry.info.name)
        if (existing !== undefined && existing.fingerprint === entry.fingerprint) return existing.handle
        if (existing !== undefined) yield* drop(entry.info.name)
        const scope = yield* Scope.fork(parent, ExecutionStrategy.sequential)
        const handle = yield* makeHandle(
          entry.info,
          entry.kubeConfig(),
          settingsFor(settings, entry.info.name),
          settings.rbacCacheTtlMs
        ).pipe(Scope.extend(scope), Effect.onError(() => Scope.close(scope, Exit.void)))
        handles.set(entry.info.name, { fingerprint: entry.fingerprint, handle, scope })
        return handle
      }))

    const resolve = (context: string | undefined) =>
      Effect.gen(function*() {
        const snapshot = yield* source.snapshot
        yield* prune(snapshot)
        const name = yield* source.pick(context ?? "", snapshot)
        const entry = snapshot.contexts.get(name)
        if (entry === undefined) return yield* unknownContext(name, snapshot)
        const cached = handles.get(name)
        return cached !== undefined && cached.fingerprint === entry.fingerprint ? cached.handle : yield* build(entry)
      })

    return {
      provider: source.provider,
      contexts: Effect.map(source.snapshot, (s) => ({
        contexts: [...s.contexts.values()].map((e) => e.info).sort((a, b) => a.name.localeCompare(b.name)),
        current: s.current
      })),
      resolve,
      view: (minified) => Effect.map(source.snapshot, (s) => s.view(minified)),
      status: Effect.map(source.snapshot, (s) => ({
        provider: source.provider,
        sources: source.sources,
        contexts: s.contexts.size,
        current: s.current,
        ...(s.problem !== undefined ? { problem: s.problem } : {})
      }))
    }
  })
