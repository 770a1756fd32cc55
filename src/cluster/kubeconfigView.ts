/** A kubeconfig rendered the way `kubectl config view` does, with every credential redacted. */
import type { Cluster, Context, User } from "@kubernetes/client-node"

const REDACTED = "REDACTED"
const OMITTED = "DATA+OMITTED"
const SENSITIVE_ARG = /token|secret|password|passwd|key|credential/i

const record = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {}

const redactExec = (exec: unknown): Record<string, unknown> => {
  const e = record(exec)
  const args = Array.isArray(e["args"]) ? e["args"].map((a) => (SENSITIVE_ARG.test(String(a)) && String(a).includes("=") ? `${String(a).split("=")[0]}=${REDACTED}` : a)) : undefined
  const env = Array.isArray(e["env"]) ? e["env"].map((x) => ({ name: record(x)["name"], value: REDACTED })) : undefined
  return {
    ...(e["apiVersion"] !== undefined ? { apiVersion: e["apiVersion"] } : {}),
    ...(e["command"] !== undefined ? { command: e["command"] } : {}),
    ...(args !== undefined ? { args } : {}),
    ...(env !== undefined ? { env } : {})
  }
}

const redactAuthProvider = (provider: unknown): Record<string, unknown> => {
  const p = record(provider)
  const config = Object.fromEntries(Object.keys(record(p["config"])).map((k) => [k, REDACTED]))
  return { name: p["name"], config }
}

export const viewCluster = (c: Cluster) => ({
  name: c.name,
  cluster: {
    server: c.server,
    ...(c.caData !== undefined ? { "certificate-authority-data": OMITTED } : {}),
    ...(c.caFile !== undefined ? { "certificate-authority": c.caFile } : {}),
    ...(c.skipTLSVerify ? { "insecure-skip-tls-verify": true } : {}),
    ...(c.tlsServerName !== undefined ? { "tls-server-name": c.tlsServerName } : {}),
    ...(c.proxyUrl !== undefined ? { "proxy-url": c.proxyUrl } : {})
  }
})

export const viewUser = (u: User) => ({
  name: u.name,
  user: {
    ...(u.certData !== undefined ? { "client-certificate-data": OMITTED } : {}),
    ...(u.certFile !== undefined ? { "client-certificate": u.certFile } : {}),
    ...(u.keyData !== undefined ? { "client-key-data": REDACTED } : {}),
    ...(u.keyFile !== undefined ? { "client-key": u.keyFile } : {}),
    ...(u.token !== undefined ? { token: REDACTED } : {}),
    ...(u.username !== undefined ? { username: u.username } : {}),
    ...(u.password !== undefined ? { password: REDACTED } : {}),
    ...(u.impersonateUser !== undefined ? { as: u.impersonateUser } : {}),
    ...(u.exec !== undefined ? { exec: redactExec(u.exec) } : {}),
    ...(u.authProvider !== undefined ? { "auth-provider": redactAuthProvider(u.authProvider) } : {})
  }
})

export const viewContext = (c: Context) => ({
  name: c.name,
  context: { cluster: c.cluster, user: c.user, ...(c.namespace !== undefined ? { namespace: c.namespace } : {}) }
})

export interface KubeconfigParts {
  readonly clusters: ReadonlyArray<Cluster>
  readonly users: ReadonlyArray<User>
  readonly contexts: ReadonlyArray<Context>
  readonly current: string
}

export const renderView = (parts: KubeconfigParts, minified: boolean) => {
  const contexts = minified ? parts.contexts.filter((c) => c.name === parts.current) : parts.contexts
  const used = (names: ReadonlyArray<string>, n: string) => !minified || names.includes(n)
  return {
    apiVersion: "v1",
    kind: "Config",
    "current-context": parts.current,
    clusters: parts.clusters.filter((c) => used(contexts.map((x) => x.cluster), c.name)).map(viewCluster),
    contexts: contexts.map(viewContext),
    users: parts.users.filter((u) => used(contexts.map((x) => x.user), u.name)).map(viewUser)
  }
}
