/**
 * Running the `helm` binary for the helm write tools (install, upgrade, rollback, uninstall). The binary is
 * `[helm] binary` or `helm` on PATH; without one the call fails with HelmUnavailable. Each run gets the
 * context's own kubeconfig in a private temporary directory (0700, the file 0600, removed afterwards, values
 * files too — never on the command line), `--kube-context`, `--namespace` and `--timeout`; the process is
 * spawned asynchronously and killed when the Effect timeout (helm's timeout plus a grace period) passes or the
 * call is interrupted. stdout and stderr are captured up to a bound.
 */
import { spawn } from "node:child_process"
import { constants } from "node:fs"
import { access as fsAccess, chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { Duration, Effect } from "effect"
import { formatDuration } from "../config/duration.js"
import { HelmFailed, HelmUnavailable, type IdentityUnsupported, NotFound, Timeout } from "../errors.js"
import type { KubeConfig } from "@kubernetes/client-node"
import { ApiIdentity } from "../auth/identity.js"
import { callerKubeConfig } from "./callerKubeConfig.js"
import type { KubeApi } from "./Kube.js"

export interface HelmSettings {
  /** "" = `helm` on PATH; a bare name is looked up on PATH, a path is used as is. */
  readonly binary: string
  readonly timeoutMs: number
  /** How long after `timeoutMs` the process is killed (default KILL_GRACE_MS). */
  readonly killGraceMs?: number
}

/** What one stream keeps; the rest is dropped with a note (a chart's full manifest can be large). */
export const MAX_OUTPUT_BYTES = 4 * 1024 * 1024
/** The process gets this long after helm's own --timeout before it is killed. */
export const KILL_GRACE_MS = 30_000

const isExecutable = (file: string): Promise<boolean> => fsAccess(file, constants.X_OK).then(() => true, () => false)

const INSTALL_HINT = "Install helm (https://helm.sh/docs/intro/install/) on the server's PATH, or set `[helm] binary` " +
  "(KUBE_MCP_HELM_BINARY) to its path. helm_list, helm_get and helm_history need no binary."

/** The binary to run, or HelmUnavailable saying what was looked for. */
export const findHelm = (context: string, settings: HelmSettings, env: NodeJS.ProcessEnv = process.env): Effect.Effect<string, HelmUnavailable> =>
  Effect.gen(function*() {
    const configured = settings.binary
    if (configured.includes("/") || configured.includes("\\")) {
      if (yield* Effect.promise(() => isExecutable(configured))) return configured
      return yield* new HelmUnavailable({
        context,
        message: `The configured helm binary "${configured}" does not exist or is not executable`,
        details: INSTALL_HINT
      })
    }
    const name = configured === "" ? "helm" : configured
    const dirs = (env["PATH"] ?? "").split(path.delimiter).filter((d) => d !== "")
    for (const dir of dirs) {
      const candidate = path.join(dir, name)
      if (yield* Effect.promise(() => isExecutable(candidate))) return candidate
    }
    return yield* new HelmUnavailable({
      context,
      message: configured === ""
        ? "No helm binary: `helm` is not on the server's PATH and `[helm] binary` is not set"
        : `No helm binary: "${name}" ([helm] binary) is not on the server's PATH`,
      details: INSTALL_HINT
    })
  })

/** A bounded buffer of one output stream. */
const collector = () => {
  const chunks: Array<Buffer> = []
  let size = 0
  let dropped = 0
  return {
    push: (b: Buffer) => {
      const room = MAX_OUTPUT_BYTES - size
      if (room <= 0) {
        dropped += b.length
        return
      }
      const kept = b.length <= room ? b : b.subarray(0, room)
      chunks.push(kept)
      size += kept.length
      dropped += b.length - kept.length
    },
    text: () => Buffer.concat(chunks).toString("utf8") + (dropped > 0 ? `\n[${dropped} more bytes not kept]` : "")
  }
}

export interface HelmOutput {
  readonly stdout: string
  readonly stderr: string
}

/** The private directory of one run, with the context's kubeconfig in it; removed when the scope closes. */
const workDir = (kubeConfig: KubeConfig) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "kube-mcp-helm-"))
      await chmod(dir, 0o700)
      const kubeconfig = path.join(dir, "kubeconfig")
      await writeFile(kubeconfig, kubeConfig.exportConfig(), { mode: 0o600 })
      return { dir, kubeconfig }
    }),
    ({ dir }) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

/** helm's one-line reason from its stderr ("Error: INSTALLATION FAILED: …"). */
const reasonOf = (stderr: string): string => {
  const line = stderr.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("Error:")).pop()
  return (line ?? stderr.trim().split("\n").pop() ?? "").replace(/^Error:\s*/u, "").slice(0, 500)
}

export interface HelmRun {
  /** The helm subcommand and its arguments, without the connection flags (added here). */
  readonly args: ReadonlyArray<string>
  readonly namespace: string
  /** Files written to the private directory first (values), passed as `-f <file>` in this order. */
  readonly valuesFiles?: ReadonlyArray<string>
  /** Whether the subcommand takes --timeout (install, upgrade, rollback, uninstall do). */
  readonly timeoutFlag?: boolean
}

/**
 * Runs helm for the context of `kube`; the exit code decides success. A non-zero exit is HelmFailed with
 * helm's stderr (NotFound when helm says the release does not exist).
 */
export const runHelm = (
  kube: KubeApi,
  settings: HelmSettings,
  run: HelmRun
): Effect.Effect<HelmOutput, HelmUnavailable | HelmFailed | NotFound | Timeout | IdentityUnsupported> =>
  Effect.gen(function*() {
    const context = kube.info.name
    // impersonate: helm's own client sends the caller's Impersonate-* flags; passthrough: a kubeconfig with the caller's token
    const who = yield* ApiIdentity
    const callerConfig = who._tag === "Impersonate" ? kube.kubeConfig : yield* callerKubeConfig(kube, "a helm write")
    const binary = yield* findHelm(context, settings)
    const { dir, kubeconfig } = yield* workDir(callerConfig)
    const files: Array<string> = []
    for (const [i, text] of (run.valuesFiles ?? []).entries()) {
      const file = path.join(dir, `values-${i}.yaml`)
      yield* Effect.promise(() => writeFile(file, text, { mode: 0o600 }))
      files.push(file)
    }
    const kubeContext: string | undefined = kube.kubeConfig.getCurrentContext()
    const connection = [
      "--kubeconfig", kubeconfig,
      ...(kubeContext !== undefined && kubeContext !== "" ? ["--kube-context", kubeContext] : []),
      "--namespace", run.namespace,
      ...(who._tag === "Impersonate" ? ["--kube-as-user", who.user, ...who.groups.flatMap((g) => ["--kube-as-group", g])] : []),
      ...(run.timeoutFlag === true ? ["--timeout", formatDuration(settings.timeoutMs)] : []),
      ...files.flatMap((f) => ["-f", f])
    ]
    // flags first, then `--`: what follows is positional (release name, chart) even if it starts with "-"
    const dash = run.args.indexOf("--")
    const args = dash < 0 ? [...run.args, ...connection] : [...run.args.slice(0, dash), ...connection, ...run.args.slice(dash)]
    const shown = `helm ${run.args.filter((a) => a !== "--").join(" ")} --namespace ${run.namespace}`
    const grace = settings.killGraceMs ?? KILL_GRACE_MS
    const env: NodeJS.ProcessEnv = { ...process.env, HELM_KUBECONTEXT: "", HELM_NAMESPACE: "" }
    delete env["KUBECONFIG"]

    const outcome = yield* Effect.callback<{ readonly code: number | null; readonly signal: string | null; readonly out: HelmOutput } | Error>(
      (resume) => {
        const stdout = collector()
        const stderr = collector()
        // its own process group, so a kill reaches what helm starts too (plugins, post-renderers)
        const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"], cwd: dir, detached: true })
        const kill = (signal: NodeJS.Signals) => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, signal)
          } catch {
            child.kill(signal)
          }
        }
        child.stdout.on("data", (b: Buffer) => stdout.push(b))
        child.stderr.on("data", (b: Buffer) => stderr.push(b))
        child.on("error", (e) => resume(Effect.succeed(e)))
        child.on("close", (code, signal) => resume(Effect.succeed({ code, signal, out: { stdout: stdout.text(), stderr: stderr.text() } })))
        // interrupted (timeout, cancelled call): end the process, then make sure
        return Effect.sync(() => {
          kill("SIGTERM")
          setTimeout(() => kill("SIGKILL"), 2000).unref()
        })
      }
    ).pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(settings.timeoutMs + grace),
        orElse: () =>
          Effect.fail(
            new Timeout({
              context,
              message: `${shown} did not finish within ${formatDuration(settings.timeoutMs + grace)} and was stopped`,
              details: "[helm] timeout sets how long a helm write may run; the release may be left pending (helm_history shows it)."
            })
          )
      })
    )
    if (outcome instanceof Error) {
      return yield* new HelmUnavailable({ context, message: `helm could not be started (${binary}): ${outcome.message}`, details: INSTALL_HINT })
    }
    if (outcome.code === 0) return outcome.out
    const reason = reasonOf(outcome.out.stderr)
    if (/release: not found|release not loaded|has no deployed releases/u.test(reason)) {
      return yield* new NotFound({ context, message: `helm: ${reason}`, details: `${shown} found no such release in namespace "${run.namespace}".` })
    }
    return yield* new HelmFailed({
      context,
      message: `helm failed: ${reason !== "" ? reason : `exit ${outcome.code ?? outcome.signal ?? "?"}`}`,
      details: outcome.out.stderr.trim().slice(0, 4000),
      ...(outcome.code !== null ? { exit_code: outcome.code } : {}),
      command: shown
    })
  }).pipe(Effect.scoped)
