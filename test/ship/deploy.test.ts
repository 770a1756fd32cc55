/**
 * deploy/ against the real control plane (dev-cluster): the kustomization (`kubectl apply -k deploy/`, the
 * README's way, with the one `images:` entry a user sets) renders every manifest and its output passes
 * `kubectl apply --dry-run=server`, and the in-cluster provider, run with a token of the deploy/ ServiceAccount and the
 * RBAC those manifests grant (really applied), reads but cannot write; with deploy/write/ it can.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { loadAll } from "js-yaml"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dexToken, OIDC_PREFIX, OIDC_USERS } from "../cluster/dex.js"
import { adminKubeConfig, mintServiceAccountToken } from "../cluster/harness.js"
import { call, clusterInfo, connectHttp, type HttpServerProcess, REPO, rowsOf, startHttp } from "../support/mcp.js"

const DEPLOY = join(REPO, "deploy")
const NAMESPACE = "kube-mcp"
const SERVICE_ACCOUNT = "kube-mcp"
/** The objects the in-cluster test applies for real (not the Deployment: nothing would run its image). */
const IDENTITY = ["00-namespace.yaml", "10-serviceaccount.yaml", "20-rbac-read-only.yaml"].map((f) => join(DEPLOY, f))
const WRITE = join(DEPLOY, "write", "rbac-write.yaml")
const IMPERSONATE = join(DEPLOY, "impersonate")
const IMPERSONATE_RBAC = join(IMPERSONATE, "rbac-impersonate.yaml")

const kubectl = (...args: Array<string>): string => {
  const info = clusterInfo()
  return execFileSync(join(info.binDir, "kubectl"), ["--kubeconfig", info.kubeconfig, "--context", "dev-cluster", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000
  })
}

/** The manifests of a directory (its kustomization.yaml is not one). */
const manifests = (dir: string): Array<string> =>
  readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml").sort().map((f) => join(dir, f))

/** kubectl with a manifest on stdin (`-f -`). */
const kubectlStdin = (input: string, ...args: Array<string>): string => {
  const info = clusterInfo()
  return execFileSync(join(info.binDir, "kubectl"), ["--kubeconfig", info.kubeconfig, "--context", "dev-cluster", ...args], {
    encoding: "utf8",
    input,
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 60_000
  })
}

const KUSTOMIZATION = readFileSync(join(DEPLOY, "kustomization.yaml"), "utf8")
const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version

/** config.toml as the ConfigMap mounts it at /etc/kube-mcp/config.toml. */
const configMapToml = (file = join(DEPLOY, "30-configmap.yaml")): string => {
  const text = readFileSync(file, "utf8")
  const start = text.indexOf("  config.toml: |\n")
  expect(start).toBeGreaterThan(0)
  return text.slice(start).split("\n").slice(1).filter((l) => l.startsWith("    ") || l === "").map((l) => l.slice(4)).join("\n")
}

const cleanup = () => {
  kubectl("delete", "--ignore-not-found", "--wait=false", "-f", WRITE, "-f", IMPERSONATE_RBAC, ...IDENTITY.flatMap((f) => ["-f", f]))
}

describe("deploy/ manifests", () => {
  let podDir = ""

  beforeAll(() => {
    cleanup()
    // a namespace left Terminating by an earlier run would refuse new objects
    kubectl("wait", "--for=delete", `namespace/${NAMESPACE}`, "--timeout=120s")
    // the namespace first: a server-side dry run of namespaced objects needs it to exist
    kubectl("apply", ...IDENTITY.flatMap((f) => ["-f", f]))
  })

  afterAll(() => {
    cleanup()
    if (podDir !== "") rmSync(podDir, { recursive: true, force: true })
  })

  it("the kustomization lists every manifest and sets the image once, at the package version", () => {
    const files = [...manifests(DEPLOY), ...manifests(join(DEPLOY, "write"))]
    expect(files.map((f) => f.slice(DEPLOY.length + 1))).toEqual([
      "00-namespace.yaml",
      "10-serviceaccount.yaml",
      "20-rbac-read-only.yaml",
      "30-configmap.yaml",
      "40-deployment.yaml",
      "50-service.yaml",
      "60-hpa.yaml",
      "write/rbac-write.yaml"
    ])
    const resources = [...KUSTOMIZATION.matchAll(/^  - (\S+\.yaml)$/gm)].map((m) => m[1])
    // everything but the opt-in write role, which `kubectl apply -k deploy/` must not pick up
    expect(resources).toEqual(manifests(DEPLOY).map((f) => f.slice(DEPLOY.length + 1)))
    expect(KUSTOMIZATION).toMatch(/^images:\n  - name: kube-mcp\n    newName: \S+/m)
    expect(/^    newTag: (\S+)$/m.exec(KUSTOMIZATION)?.[1]).toBe(VERSION)
    // the Deployment names the placeholder that `images:` replaces
    expect(readFileSync(join(DEPLOY, "40-deployment.yaml"), "utf8")).toMatch(/^          image: kube-mcp$/m)
  })

  it("`kubectl kustomize deploy/` output passes kubectl apply --dry-run=server", () => {
    const rendered = kubectl("kustomize", DEPLOY)
    const out = kubectlStdin(rendered, "apply", "--dry-run=server", "-f", "-")
    for (const kind of ["namespace", "serviceaccount", "clusterrole", "clusterrolebinding", "configmap", "deployment", "service", "horizontalpodautoscaler"]) {
      expect(out).toMatch(new RegExp(`^${kind}[./]`, "m"))
    }
    expect(out).not.toMatch(/error/i)
    expect(out).not.toContain("kube-mcp-write")
    // the write role on its own, as `kubectl apply -f deploy/write/`
    expect(kubectl("apply", "--dry-run=server", "-f", WRITE)).toMatch(/^clusterrole\.rbac\.authorization\.k8s\.io\/kube-mcp-write created \(server dry run\)$/m)
  })

  it("the Deployment runs the kustomized image, non-root, on a read-only root filesystem with probes and resources", () => {
    const rendered = kubectl("kustomize", DEPLOY)
    const list = JSON.parse(kubectlStdin(rendered, "apply", "--dry-run=server", "-o", "json", "-f", "-")) as {
      items: Array<{ kind: string; spec?: { template?: { spec: { securityContext: Record<string, unknown>; containers: Array<Record<string, unknown>> } } } }>
    }
    const pod = list.items.find((i) => i.kind === "Deployment")?.spec?.template?.spec
    expect(pod).toBeDefined()
    if (pod === undefined) return
    expect(pod.securityContext["runAsNonRoot"]).toBe(true)
    const container = pod.containers[0] ?? {}
    const newName = /^    newName: (\S+)/m.exec(KUSTOMIZATION)?.[1]
    expect(container["image"]).toBe(`${newName}:${VERSION}`)
    expect(container["securityContext"]).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
    expect(container["livenessProbe"]).toMatchObject({ httpGet: { path: "/healthz" } })
    expect(container["readinessProbe"]).toMatchObject({ httpGet: { path: "/readyz" } })
    expect(container["resources"]).toMatchObject({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } })
    // the compile cache's writable directory on the read-only root filesystem
    expect(container["volumeMounts"]).toEqual(expect.arrayContaining([{ name: "cache", mountPath: "/home/nonroot/.cache" }]))
  })

  describe("the in-cluster provider as the deploy/ ServiceAccount", () => {
    const servers: Array<HttpServerProcess> = []

    /** What the pod would have mounted: a bound token, the cluster CA and the namespace. */
    const mountServiceAccount = async (): Promise<string> => {
      const sa = await mintServiceAccountToken(clusterInfo(), "dev", { namespace: NAMESPACE, name: SERVICE_ACCOUNT, expirationSeconds: 600 })
      const dir = mkdtempSync(join(tmpdir(), "kube-mcp-sa-"))
      writeFileSync(join(dir, "token"), sa.token)
      writeFileSync(join(dir, "ca.crt"), sa.caPem)
      writeFileSync(join(dir, "namespace"), NAMESPACE)
      return dir
    }

    /** The ConfigMap's config.toml unchanged; env supplies what a pod's environment would. */
    const start = async (env: Record<string, string> = {}) => {
      const server = await startHttp({
        config: configMapToml(),
        kubeconfig: "",
        env: {
          KUBERNETES_SERVICE_HOST: "127.0.0.1",
          KUBERNETES_SERVICE_PORT: String(clusterInfo().clusters.dev.port),
          KUBE_MCP_KUBERNETES_IN_CLUSTER_DIR: podDir,
          ...env
        }
      })
      servers.push(server)
      return connectHttp(server.url)
    }

    beforeAll(async () => {
      podDir = await mountServiceAccount()
      // a pod to try deleting (it never needs to run)
      const core = adminKubeConfig(clusterInfo(), "dev").makeApiClient(CoreV1Api)
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: { name: "victim" },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{
              name: "c",
              image: "busybox",
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } }
            }]
          }
        }
      })
    })

    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()))
    })

    it("as configured (read_only, require_rbac): reads work, mutating tools are hidden and refused", async () => {
      const client = await start()
      try {
        const { tools } = await client.listTools()
        const names = tools.map((t) => t.name)
        expect(names).toContain("namespaces_list")
        expect(names).not.toContain("pods_delete")
        expect(names).not.toContain("resources_apply")

        const contexts = await call(client, "config_contexts_list")
        expect(contexts.structured).toMatchObject({ current_context: "in-cluster", contexts: [{ name: "in-cluster", namespace: NAMESPACE }] })

        const namespaces = await call(client, "namespaces_list")
        expect(namespaces.isError).toBe(false)
        expect(rowsOf(namespaces).map((r) => r["name"])).toEqual(expect.arrayContaining([NAMESPACE, "team-a", "kube-system"]))

        const pods = await call(client, "pods_list")
        expect(pods.isError).toBe(false)
        expect(rowsOf(pods).map((r) => r["name"])).toContain("victim")

        const refused = await call(client, "pods_delete", { name: "victim" })
        expect(refused.error?.type).toBe("ReadOnly")
      } finally {
        await client.close()
      }
    })

    it("with read_only off, the read-only RBAC refuses writes with Forbidden", async () => {
      const client = await start({ KUBE_MCP_SECURITY_READ_ONLY: "false" })
      try {
        const names = (await client.listTools()).tools.map((t) => t.name)
        expect(names).toContain("pods_delete")

        const del = await call(client, "pods_delete", { name: "victim" })
        expect(del.isError).toBe(true)
        expect(del.error).toMatchObject({ type: "Forbidden", cluster: "in-cluster", tool: "pods_delete", verb: "delete", namespace: NAMESPACE })

        const apply = await call(client, "resources_apply", {
          manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kube-mcp-ship-test", namespace: NAMESPACE }, data: { a: "b" } }
        })
        expect(apply.isError).toBe(true)
        expect(apply.error?.type).toBe("Forbidden")

        // the Secret of another namespace is not readable either: the default role leaves Secrets out
        const secret = await call(client, "resources_get", { version: "v1", kind: "Secret", name: "anything", namespace: "default" })
        expect(secret.error?.type).toBe("Forbidden")
      } finally {
        await client.close()
      }
      const core = adminKubeConfig(clusterInfo(), "dev").makeApiClient(CoreV1Api)
      expect((await core.readNamespacedPod({ namespace: NAMESPACE, name: "victim" })).metadata?.name).toBe("victim")
    })

    it("with the opt-in write role applied, the same call goes through", async () => {
      kubectl("apply", "-f", WRITE)
      const client = await start({ KUBE_MCP_SECURITY_READ_ONLY: "false" })
      try {
        const dryRun = await call(client, "pods_delete", { name: "victim", dry_run: true })
        expect(dryRun.isError, dryRun.text).toBe(false)
        const del = await call(client, "pods_delete", { name: "victim", grace_period_seconds: 0 })
        expect(del.isError, del.text).toBe(false)
      } finally {
        await client.close()
      }
    })
  })
})

/** deploy/ with the impersonate component, rendered as `components: [impersonate]` in deploy/kustomization.yaml does. */
const renderImpersonate = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-kustomize-"))
  try {
    const base = relative(dir, DEPLOY)
    writeFileSync(join(dir, "kustomization.yaml"), `resources:\n  - ${base}\ncomponents:\n  - ${base}/impersonate\n`)
    return kubectl("kustomize", dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface Rendered {
  kind: string
  metadata: { name: string }
  rules?: Array<Record<string, unknown>>
  data?: Record<string, string>
  spec?: { template?: { spec: { containers: Array<Record<string, unknown>> } } }
}
const isRendered = (v: unknown): v is Rendered =>
  typeof v === "object" && v !== null && "kind" in v && typeof v.kind === "string" && "metadata" in v && typeof v.metadata === "object"

describe("deploy/impersonate (kustomize component)", () => {
  const oidc = clusterInfo().oidc
  const servers: Array<HttpServerProcess> = []
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    kubectl("delete", "--ignore-not-found", "-f", IMPERSONATE_RBAC, ...IDENTITY.flatMap((f) => ["-f", f]))
    kubectl("delete", "--ignore-not-found", "clusterrolebinding", "kube-mcp-ship-oidc-readers")
  })

  it("renders deploy/ with a role that may impersonate users and groups and nothing more, and passes a server-side dry run", () => {
    const rendered = renderImpersonate()
    const objects = loadAll(rendered).filter(isRendered)
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`)
    expect(names).toContain("ClusterRole/kube-mcp-impersonate")
    expect(names).toContain("ClusterRoleBinding/kube-mcp-impersonate")
    // the server's own identity keeps no read access of its own
    expect(names.filter((n) => /kube-mcp-read-only|kube-mcp-view/.test(n))).toEqual([])
    const role = objects.find((o) => o.kind === "ClusterRole" && o.metadata.name === "kube-mcp-impersonate")
    expect(role?.rules).toEqual([
      { apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"], verbs: ["create"] }
    ])
    const config = objects.find((o) => o.kind === "ConfigMap")?.data?.["config.toml"] ?? ""
    expect(config).toMatch(/^auth = "oauth"$/m)
    expect(config).toMatch(/^identity = "impersonate"$/m)
    // OAuth takes no shared token: the Deployment no longer reads one
    const container = objects.find((o) => o.kind === "Deployment")?.spec?.template?.spec.containers[0] ?? {}
    expect(container["env"]).toBeUndefined()
    // namespaced objects need their namespace for a server-side dry run (the tests above removed it)
    kubectl("wait", "--for=delete", `namespace/${NAMESPACE}`, "--timeout=120s")
    kubectl("apply", "-f", IDENTITY[0] ?? "")
    const out = kubectlStdin(rendered, "apply", "--dry-run=server", "-f", "-")
    expect(out).toMatch(/^clusterrole\.rbac\.authorization\.k8s\.io\/kube-mcp-impersonate created \(server dry run\)$/m)
    expect(out).not.toMatch(/error/i)
  })

  it.skipIf(oidc === undefined)("as the ServiceAccount: refused to start without the role; with it, callers act as themselves", async () => {
    if (oidc === undefined) return
    // the ServiceAccount alone, without deploy/'s read-only grants
    kubectl("apply", "-f", IDENTITY[0] ?? "", "-f", IDENTITY[1] ?? "")
    kubectl("delete", "--ignore-not-found", "-f", IDENTITY[2] ?? "")
    const sa = await mintServiceAccountToken(clusterInfo(), "dev", { namespace: NAMESPACE, name: SERVICE_ACCOUNT, expirationSeconds: 600 })
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-sa-"))
    writeFileSync(join(dir, "token"), sa.token)
    writeFileSync(join(dir, "ca.crt"), sa.caPem)
    writeFileSync(join(dir, "namespace"), NAMESPACE)
    // the component's config.toml with the test issuer (Dex) in place of the example one
    const config = configMapToml(join(IMPERSONATE, "config.yaml"))
      .replace(/^issuer = .*$/m, `issuer = "${oidc.issuer}"\nca_file = "${oidc.caFile}"`)
      .replace(/^resource = .*$/m, "")
    const start = () =>
      startHttp({
        config,
        kubeconfig: "",
        env: {
          KUBERNETES_SERVICE_HOST: "127.0.0.1",
          KUBERNETES_SERVICE_PORT: String(clusterInfo().clusters.dev.port),
          KUBE_MCP_KUBERNETES_IN_CLUSTER_DIR: dir
        }
      })
    await expect(start()).rejects.toThrow(/server exited early \(2\)[\s\S]*may not impersonate users or groups/)

    kubectl("apply", "-f", IMPERSONATE_RBAC)
    kubectl("create", "clusterrolebinding", "kube-mcp-ship-oidc-readers", "--clusterrole=view", `--group=${OIDC_PREFIX}${OIDC_USERS.bob.groups[0]}`)
    const server = await start()
    servers.push(server)
    const token = await dexToken(oidc, readFileSync(oidc.caFile, "utf8"), "bob")
    const client = await connectHttp(server.url, { authorization: `Bearer ${token}` })
    try {
      // the ServiceAccount itself may read nothing: this answer is bob's RBAC, through impersonation
      const namespaces = await call(client, "namespaces_list")
      expect(namespaces.isError, namespaces.text).toBe(false)
      expect(rowsOf(namespaces).map((r) => r["name"])).toContain("team-a")
      const secrets = await call(client, "resources_list", { version: "v1", kind: "Secret", namespace: "default" })
      expect(secrets.error?.type).toBe("Forbidden")
      expect(secrets.error?.message).toContain(`${OIDC_PREFIX}${OIDC_USERS.bob.email}`)
    } finally {
      await client.close()
    }
  }, 90_000)
})
