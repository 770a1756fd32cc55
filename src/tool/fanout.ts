/**
 * Calls across many contexts: selecting contexts by name and glob pattern, running one effect per context
 * (bounded concurrency, an overall deadline, each context under its own limiter and timeout), and reporting
 * each context's outcome as it finishes. The adapter's `contexts` parameter and the fleet tools
 * (clusters_overview, resources_compare, …) all go through here.
 */
import { Clock, Duration, Effect, Schema } from "effect"
import { ClusterRegistry } from "../cluster/registry.js"
import { AppSettings } from "../config/appSettings.js"
import { NoContextAnswered, Timeout, type ToolError, UnknownContext } from "../errors.js"
import { formatDuration } from "../config/duration.js"
import { globToRegExp, isGlob } from "../config/glob.js"

export const MAX_CONTEXTS = 64

export const ContextsParam = Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253)))
  .check(Schema.isMinLength(1), Schema.isMaxLength(MAX_CONTEXTS))
  .annotate({
    description: "run against several contexts at once: context names and glob patterns (`*` any characters, `?` one), " +
      "e.g. [\"prod-*\"] or [\"*\"] for all. Tables merge with a CONTEXT column first, other results come one section per context; " +
      "a context that fails is reported with its error while the others answer. Not together with `context`."
  })

/**
 * The contexts `patterns` select, sorted, each once. A plain name that is not a context stays in the
 * selection (it then fails with UnknownContext in its own slot); patterns that select nothing at all are an
 * UnknownContext error for the call.
 */
export const selectContexts = (patterns: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>, UnknownContext, ClusterRegistry> =>
  Effect.gen(function*() {
    const { contexts } = yield* (yield* ClusterRegistry).contexts
    const names = contexts.map((c) => c.name)
    const selected = new Set<string>()
    for (const p of patterns) {
      if (isGlob(p)) {
        const re = globToRegExp(p)
        for (const n of names) if (re.test(n)) selected.add(n)
      } else selected.add(p)
    }
    if (selected.size === 0) {
      return yield* new UnknownContext({
        context: patterns.join(","),
        message: `contexts ${JSON.stringify(patterns)} match no context`,
        details: `Available contexts: ${names.join(", ") || "(none)"}`,
        available: names
      })
    }
    return [...selected].sort((a, b) => a.localeCompare(b))
  })

/** Progress of a call, reported to the client when it asked (a progressToken). */
export type Progress = (progress: number, total: number, message: string) => Effect.Effect<void>

export type Outcome<A> =
  | { readonly context: string; readonly ok: true; readonly value: A }
  | { readonly context: string; readonly ok: false; readonly error: ToolError }

export interface EachOptions {
  /** Called once per context as it finishes (progress notifications), with how many are done. */
  readonly onDone?: (done: number, total: number, context: string) => Effect.Effect<void>
}

/**
 * Runs `f` once per context, `kubernetes.fanout_concurrency` at a time, all within `kubernetes.fanout_timeout`
 * from the start; every context gets an outcome, in the order given. A context still running at the deadline
 * (or not yet started) is a Timeout; the others keep their answers.
 */
export const eachContext = <A, R>(
  contexts: ReadonlyArray<string>,
  f: (context: string) => Effect.Effect<A, ToolError, R>,
  options: EachOptions = {}
): Effect.Effect<Array<Outcome<A>>, never, R | AppSettings> =>
  Effect.gen(function*() {
    const { kubernetes } = yield* AppSettings
    const deadline = (yield* Clock.currentTimeMillis) + kubernetes.fanoutTimeoutMs
    let done = 0
    const late = (context: string) =>
      new Timeout({
        context,
        message: `No answer within the fan-out deadline of ${formatDuration(kubernetes.fanoutTimeoutMs)}`,
        details: "kubernetes.fanout_timeout bounds a call across many contexts; call this context alone to wait on it longer."
      })
    return yield* Effect.forEach(
      contexts,
      (context) =>
        Effect.gen(function*() {
          const left = deadline - (yield* Clock.currentTimeMillis)
          const result = yield* (left <= 0 ? Effect.fail(late(context)) : f(context)).pipe(
            Effect.timeoutOrElse({ duration: Duration.millis(Math.max(0, left)), orElse: () => Effect.fail(late(context)) }),
            Effect.result
          )
          done++
          if (options.onDone !== undefined) yield* options.onDone(done, contexts.length, context)
          const outcome: Outcome<A> = result._tag === "Success"
            ? { context, ok: true, value: result.success }
            : { context, ok: false, error: result.failure }
          return outcome
        }),
      { concurrency: kubernetes.fanoutConcurrency }
    )
  })

/** The call fails as a whole only when no context answered. */
export const noContextAnswered = (outcomes: ReadonlyArray<Outcome<unknown>>): NoContextAnswered => {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [{ context: o.context, type: o.error._tag, message: o.error.message }]))
  return new NoContextAnswered({
    message: `None of the ${outcomes.length} selected context(s) answered`,
    details: failures.map((f) => `${f.context}: ${f.type}: ${f.message}`).join("; ").slice(0, 1500),
    failures
  })
}
