// Vitest global setup: one real control plane per test run, shared by all test files via
// `inject("cluster")`. Reuses a plane that `npm run cluster:up` (or another test run) left running and then
// leaves it running; stops in teardown only what this run started (or adopted from a crashed run).
import type { TestProject } from "vitest/node"
// Type-only import so TypeScript resolves the "vitest" module that the augmentation below extends.
import type {} from "vitest"
import { start, stop, type ClusterInfo } from "./harness.js"

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const r = await start({ owner: "vitest" })
  // r.owned: started here, or an orphan of a crashed earlier vitest run (adopted, else it would run
  // forever). Planes from `cluster:up` or from a live concurrent run are left running.
  const ours = r.owned
  process.stderr.write(
    `[cluster] ${r.reused ? "reused" : "started"} control plane in ${(r.elapsedMs / 1000).toFixed(1)} s; KUBECONFIG=${r.info.kubeconfig}` +
      `${ours ? "" : " (left running after tests)"}\n`
  )
  project.provide("cluster", r.info)
  return async () => {
    if (!ours || process.env.KUBE_MCP_KEEP_CLUSTER === "1") return
    const s = await stop(r.info.stateDir)
    if (s.survivors.length > 0) throw new Error(`control plane processes survived stop: ${s.survivors.join(", ")}`)
  }
}
