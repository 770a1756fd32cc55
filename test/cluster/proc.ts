// Process plumbing for the test control plane: spawn detached children with logs in files, identify them
// robustly (pid + kernel start time, so a recycled pid is never mistaken for ours), stop them by pid.
import { spawn } from "node:child_process"
import { closeSync, existsSync, openSync, readFileSync, readdirSync, writeSync } from "node:fs"
import { createServer, type AddressInfo } from "node:net"

/** One process the harness started. Persisted in state.json, so plain JSON. */
export interface ProcessRecord {
  /** Role, e.g. "etcd", "dev-apiserver". */
  name: string
  pid: number
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot): pid + startTime identify a process. */
  startTime: string
  command: string
  args: string[]
  /** Combined stdout/stderr of the process. */
  log: string
  /**
   * Shutdown order: higher tiers stop first (clients before the apiservers, apiservers before etcd). An
   * apiserver whose etcd is already gone spends its whole grace period retrying; in order, each tier takes ~1 s.
   */
  tier: number
}

interface ProcStat {
  state: string
  pgrp: number
  startTime: string
}

/** Parses /proc/<pid>/stat. The command name (field 2) may contain spaces and ')', so split after the last ')'. */
const procStat = (pid: number): ProcStat | undefined => {
  let raw: string
  try {
    raw = readFileSync(`/proc/${pid}/stat`, "utf8")
  } catch {
    return undefined
  }
  const rest = raw.slice(raw.lastIndexOf(")") + 2).split(" ")
  // rest[0] is field 3 (state), rest[2] field 5 (pgrp), rest[19] field 22 (starttime).
  const state = rest[0]
  const pgrp = Number(rest[2])
  const startTime = rest[19]
  if (state === undefined || startTime === undefined || !Number.isInteger(pgrp)) return undefined
  return { state, pgrp, startTime }
}

/** True when this exact process (same pid AND same start time) still runs. Zombies count as gone. */
export const isRunning = (rec: Pick<ProcessRecord, "pid" | "startTime">): boolean => {
  const st = procStat(rec.pid)
  return st !== undefined && st.startTime === rec.startTime && st.state !== "Z" && st.state !== "X"
}

/** True when any process with this pid exists (identity not checked); used by tests on recorded pids. */
export const pidExists = (pid: number): boolean => {
  const st = procStat(pid)
  return st !== undefined && st.state !== "Z" && st.state !== "X"
}

/** Live members of process group `pgid` (our children lead their own groups; kwok's exec'd commands join it). */
export const groupMembers = (pgid: number): number[] => {
  const out: number[] = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    const st = procStat(pid)
    if (st !== undefined && st.pgrp === pgid && st.state !== "Z" && st.state !== "X") out.push(pid)
  }
  return out
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Last `lines` lines of a log file, for error messages. */
export const tail = (file: string, lines = 25): string => {
  if (!existsSync(file)) return `(no log file ${file})`
  const text = readFileSync(file, "utf8").trimEnd().split("\n")
  return text.slice(-lines).join("\n")
}

/**
 * Spawns `command` detached in its own process group with stdout+stderr appended to `log`.
 * Detached so that `npm run cluster:up` can exit and leave the control plane running; the record
 * (pid + start time) is what `stop` later uses, never a process name.
 */
export const spawnLogged = async (
  name: string,
  command: string,
  args: string[],
  log: string,
  tier = 0,
  env: NodeJS.ProcessEnv = process.env
): Promise<ProcessRecord> => {
  const fd = openSync(log, "a")
  writeSync(fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(" ")}\n`)
  try {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], env })
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve)
      child.once("error", (e) => reject(new Error(`${name}: cannot start ${command}: ${e.message}`)))
    })
    // Keep the ChildProcess object (Node then reaps the child when it exits) but let our process exit freely.
    child.unref()
    const pid = child.pid
    if (pid === undefined) throw new Error(`${name}: spawn of ${command} returned no pid`)
    const st = procStat(pid)
    if (st === undefined) throw new Error(`${name}: ${command} exited immediately; log: ${log}\n${tail(log)}`)
    return { name, pid, startTime: st.startTime, command, args, log, tier }
  } finally {
    closeSync(fd)
  }
}

export interface StopResult {
  /** Pids that were running and are gone now. */
  stopped: number[]
  /** Recorded pids that were already gone (or recycled by an unrelated process, which is left alone). */
  alreadyGone: number[]
  /** Pids (recorded, or members of their process groups) still alive after SIGKILL; should be empty. */
  survivors: number[]
}

/**
 * Stops exactly the recorded processes, tier by tier (highest first): SIGTERM to each one's process group
 * (the recorded process plus whatever it spawned, e.g. commands kwok ran for `exec`), SIGKILL after
 * `graceMs`. A pid whose start time differs from the record belongs to someone else now and is not touched.
 */
export const terminate = async (records: ProcessRecord[], graceMs = 10_000): Promise<StopResult> => {
  const result: StopResult = { stopped: [], alreadyGone: [], survivors: [] }
  const tiers = [...new Set(records.map((r) => r.tier))].sort((a, b) => b - a)
  for (const tier of tiers) {
    const r = await terminateTogether(records.filter((p) => p.tier === tier), graceMs)
    result.stopped.push(...r.stopped)
    result.alreadyGone.push(...r.alreadyGone)
    result.survivors.push(...r.survivors)
  }
  return result
}

const terminateTogether = async (records: ProcessRecord[], graceMs: number): Promise<StopResult> => {
  const live = records.filter(isRunning)
  const alreadyGone = records.filter((r) => !live.includes(r)).map((r) => r.pid)
  const signal = (r: ProcessRecord, sig: NodeJS.Signals) => {
    // Only signal while the leader is verifiably ours (pid + start time); a dead leader's pid may be recycled.
    if (!isRunning(r)) return
    try {
      process.kill(-r.pid, sig)
    } catch {
      // ESRCH: exited meanwhile.
    }
  }
  // A process group id is not recycled while the group has members, so non-leader members of a group we
  // created (even after its leader exited) are our descendants. The leader itself is checked by identity,
  // which excludes an unrelated process that got the leader's pid after the whole group was gone.
  const remaining = (): number[] => [
    ...new Set([
      ...live.filter(isRunning).map((r) => r.pid),
      ...live.flatMap((r) => groupMembers(r.pid).filter((p) => p !== r.pid))
    ])
  ]
  for (const r of live) signal(r, "SIGTERM")
  const deadline = Date.now() + graceMs
  while (remaining().length > 0 && Date.now() < deadline) await sleep(100)
  let left = remaining()
  if (left.length > 0) {
    for (const r of live) signal(r, "SIGKILL")
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // gone meanwhile
      }
    }
    const killDeadline = Date.now() + 5_000
    while (remaining().length > 0 && Date.now() < killDeadline) await sleep(100)
    left = remaining()
  }
  return { stopped: live.map((r) => r.pid).filter((p) => !left.includes(p)), alreadyGone, survivors: left }
}

/** `n` distinct free TCP ports on 127.0.0.1 (all held open at once, so no duplicates). */
export const freePorts = async (n: number): Promise<number[]> => {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer()
          s.once("error", reject)
          s.listen(0, "127.0.0.1", () => resolve(s))
        })
    )
  )
  const ports = servers.map((s) => {
    const a: AddressInfo | string | null = s.address()
    if (a === null || typeof a === "string") throw new Error("freePorts: listener has no TCP address")
    return a.port
  })
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
  return ports
}
