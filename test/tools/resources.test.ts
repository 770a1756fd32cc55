/**
 * resources_* through the MCP client against the test control plane: any group/version/kind through
 * discovery (CRDs included), server-side apply with its outcomes (created/configured/unchanged, Conflict,
 * Invalid, dry run), patch, scale, delete, describe (owner chain, events), diff, and read-only mode.
 */
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, callOk, callFails, clusterInfo, rowsOf, type StdioServer, startStdio } from "../support/mcp.js"

const info = clusterInfo()
const kc = adminKubeConfig(info, "dev")
const core = kc.makeApiClient(CoreV1Api)
const apps = kc.makeApiClient(AppsV1Api)
const crds = kc.makeApiClient(ApiextensionsV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-res-${suffix}`
const crdGroup = `kmcp-res-${suffix}.example.com`
const crdName = `widgets.${crdGroup}`
const DEPLOY = { group: "apps", version: "v1", kind: "Deployment" }
const CM = { version: "v1", kind: "ConfigMap" }

const deployment = (name: string, replicas: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns, labels: { app: name }, ...extra },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "registry.example/app:1.0" }] } }
  }
})

const waitUntil = async (f: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

let server: StdioServer

const ok = (tool: string, args: Record<string, unknown>) => callOk(server.client, tool, args)
const fails = (tool: string, args: Record<string, unknown>, type: string) => callFails(server.client, tool, args, type)

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } })
  server = await startStdio()
  // web: 2 replicas on the kwok node (pods run), applied by the tool so later applies see its field manager
  await ok("resources_apply", {
    manifest: deployment("web", 2, {
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{\"marker\":\"last-applied-marker\"}" }
    })
  })
  await waitUntil(async () => {
    const d = await apps.readNamespacedDeployment({ name: "web", namespace: ns })
    return d.status?.readyReplicas === 2
  }, "web to have 2 ready replicas")
})

afterAll(async () => {
  await server?.close()
  await core.deleteNamespace({ name: ns }).catch(() => undefined)
  await crds.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined)
})

describe("resources_list", () => {
  it("shows kubectl's columns for the kind (Deployments: ready, up-to-date, available)", async () => {
    const r = await ok("resources_list", { ...DEPLOY, namespace: ns })
    expect(r.structured?.["columns"]).toEqual(["name", "ready", "up-to-date", "available", "age"])
    expect(rowsOf(r)).toEqual([expect.objectContaining({ name: "web", ready: "2/2", "up-to-date": "2", available: "2" })])
    expect(r.text).toContain(`1 deployments.apps in namespace "${ns}"`)
  })

  it("adds a namespace column across all namespaces, and pages with limit/continue", async () => {
    const all = rowsOf(await ok("resources_list", { version: "v1", kind: "Pod", all_namespaces: true, label_selector: "app=web" }))
    expect(all.filter((row) => row["namespace"] === ns)).toHaveLength(2)
    const first = await ok("resources_list", { version: "v1", kind: "pods", namespace: ns, limit: 1 })
    expect(rowsOf(first)).toHaveLength(1)
    const token = first.structured?.["continue"]
    expect(typeof token).toBe("string")
    const second = await ok("resources_list", { version: "v1", kind: "pods", namespace: ns, limit: 1, continue: token })
    expect(rowsOf(second)).toHaveLength(1)
    expect(rowsOf(second)[0]?.["name"]).not.toBe(rowsOf(first)[0]?.["name"])
  })

  it("returns the items as YAML or JSON without managedFields or the last-applied annotation", async () => {
    const yaml = await ok("resources_list", { ...DEPLOY, namespace: ns, output: "yaml" })
    expect(yaml.text).toContain("kind: DeploymentList")
    expect(yaml.text).toContain("name: web")
    expect(yaml.text).not.toContain("managedFields")
    expect(yaml.text).not.toContain("last-applied-marker")
    const json = await ok("resources_list", { ...DEPLOY, namespace: ns, output: "json" })
    const items = json.structured?.["items"]
    expect(Array.isArray(items) ? items : []).toEqual([expect.objectContaining({ apiVersion: "apps/v1", kind: "Deployment" })])
  })

  it("names the served kinds when a kind is unknown, and the served versions for an unserved version", async () => {
    const r = await fails("resources_list", { group: "apps", version: "v1", kind: "Deploymnet" }, "NotFound")
    expect(r.error?.details).toContain("Deployment")
    expect(r.error?.details).toContain("StatefulSet")
    const v = await fails("resources_list", { group: "apps", version: "v2", kind: "Deployment" }, "NotFound")
    expect(v.error?.details).toContain("v1")
    const g = await fails("resources_list", { group: "nothing.example.com", version: "v1", kind: "Thing" }, "NotFound")
    expect(g.error?.message).toContain("nothing.example.com")
  })

  it("is Forbidden for the restricted user outside its rights", async () => {
    const r = await call(server.client, "resources_list", { ...DEPLOY, namespace: "default", context: "restricted" })
    expect(r.error).toMatchObject({ type: "Forbidden", cluster: "restricted", tool: "resources_list" })
  })

  it("refuses namespace together with all_namespaces", async () => {
    await fails("resources_list", { ...DEPLOY, namespace: ns, all_namespaces: true }, "InvalidInput")
  })
})

describe("resources_get", () => {
  it("returns the whole object as YAML by default, managedFields and last-applied stripped", async () => {
    const r = await ok("resources_get", { ...DEPLOY, name: "web", namespace: ns })
    expect(r.text).toMatch(/^kind: Deployment$/m)
    expect(r.text).toContain("image: registry.example/app:1.0")
    expect(r.text).not.toContain("managedFields")
    expect(r.text).not.toContain("last-applied")
  })

  it("returns JSON and a summary with kubectl's columns and conditions", async () => {
    const json = await ok("resources_get", { ...DEPLOY, name: "web", namespace: ns, output: "json" })
    expect(json.structured).toMatchObject({ kind: "Deployment", metadata: { name: "web", namespace: ns } })
    const summary = await ok("resources_get", { ...DEPLOY, name: "web", namespace: ns, output: "summary" })
    expect(summary.structured).toMatchObject({ kind: "Deployment", name: "web", namespace: ns, ready: "2/2", available: "2" })
    expect(JSON.stringify(summary.structured?.["conditions"])).toContain("Available=True")
  })

  it("is NotFound for a missing object", async () => {
    const r = await fails("resources_get", { ...DEPLOY, name: "missing", namespace: ns }, "NotFound")
    expect(r.error?.message).toContain("missing")
  })
})

describe("resources_apply", () => {
  const multi = (value: string) =>
    [
      `apiVersion: v1`,
      `kind: ConfigMap`,
      `metadata:`,
      `  name: settings`,
      `data:`,
      `  mode: ${value}`,
      `---`,
      `apiVersion: v1`,
      `kind: Service`,
      `metadata:`,
      `  name: web`,
      `spec:`,
      `  selector: {app: web}`,
      `  ports: [{port: 80, targetPort: 8080}]`,
      `---`
    ].join("\n")

  it("applies a multi-document YAML: created, then unchanged, then configured with the change", async () => {
    const created = await ok("resources_apply", { manifest: multi("fast"), namespace: ns })
    expect(created.structured?.["results"]).toEqual([
      expect.objectContaining({ kind: "ConfigMap", name: "settings", namespace: ns, action: "created" }),
      expect.objectContaining({ kind: "Service", name: "web", namespace: ns, action: "created" })
    ])
    const again = await ok("resources_apply", { manifest: multi("fast"), namespace: ns })
    expect(again.structured?.["results"]).toEqual([
      expect.objectContaining({ name: "settings", action: "unchanged" }),
      expect.objectContaining({ name: "web", action: "unchanged" })
    ])
    const changed = await ok("resources_apply", { manifest: multi("slow"), namespace: ns })
    expect(changed.structured?.["results"]).toEqual([
      expect.objectContaining({ name: "settings", action: "configured", changes: ["data.mode: \"fast\" → \"slow\""] }),
      expect.objectContaining({ name: "web", action: "unchanged" })
    ])
    const live = await core.readNamespacedConfigMap({ name: "settings", namespace: ns })
    expect(live.data).toEqual({ mode: "slow" })
    const rv = (changed.structured?.["results"] as Array<Record<string, unknown>> | undefined)?.[0]?.["resourceVersion"]
    expect(rv).toBe(live.metadata?.resourceVersion)
  })

  it("dry_run reports the outcome and leaves the cluster unchanged", async () => {
    const r = await ok("resources_apply", {
      manifest: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { mode: "dry" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "never" }, data: { a: "b" } }
      ],
      namespace: ns,
      dry_run: true
    })
    expect(r.text).toContain("Dry run")
    expect(r.structured).toMatchObject({
      dry_run: true,
      results: [{ name: "settings", action: "configured" }, { name: "never", action: "created" }]
    })
    expect((await core.readNamespacedConfigMap({ name: "settings", namespace: ns })).data).toEqual({ mode: "slow" })
    await expect(core.readNamespacedConfigMap({ name: "never", namespace: ns })).rejects.toThrow()
  })

  it("shows the field errors of an invalid object (Invalid with causes)", async () => {
    const bad = deployment("bad", -1)
    bad.spec.template.spec.containers = [{ name: "app", image: "" }]
    const r = await fails("resources_apply", { manifest: bad }, "Invalid")
    const fields = (r.error?.["causes"] as Array<{ field?: string }> | undefined)?.map((c) => c.field)
    expect(fields).toEqual(expect.arrayContaining(["spec.replicas", "spec.template.spec.containers[0].image"]))
    expect(r.text).toContain("spec.replicas")
  })

  it("rejects an unknown field as Invalid instead of dropping it", async () => {
    const r = await fails("resources_apply", {
      manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "typo", namespace: ns }, dataa: { a: "b" } }
    }, "Invalid")
    expect(r.error?.["causes"]).toEqual([expect.objectContaining({ field: "dataa" })])
  })

  it("rejects documents that are not objects or lack a name, and a conflicting namespace (InvalidInput)", async () => {
    const list = await fails("resources_apply", { manifest: "- 1\n- 2\n" }, "InvalidInput")
    expect(list.error?.message).toContain("not an object")
    const second = await fails("resources_apply", { manifest: `${multi("x")}\n--- 42\n` }, "InvalidInput")
    expect(JSON.stringify(second.error?.["issues"])).toContain("manifest[2]")
    const noName = await fails("resources_apply", { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: {} } }, "InvalidInput")
    expect(noName.error?.message).toContain("metadata.name")
    const yaml = await fails("resources_apply", { manifest: "a: [unclosed" }, "InvalidInput")
    expect(yaml.error?.message).toContain("YAML")
    const other = await fails("resources_apply", { manifest: deployment("web", 2), namespace: "elsewhere" }, "InvalidInput")
    expect(other.error?.message).toContain("elsewhere")
  })

  it("is a Conflict to change a field another manager owns; force takes it over", async () => {
    const r = await fails("resources_apply", { manifest: deployment("web", 3), field_manager: "other-team" }, "Conflict")
    expect(r.error?.message).toContain(".spec.replicas")
    expect(r.error?.message).toContain("kube-mcp")
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: ns })).spec?.replicas).toBe(2)
    const forced = await ok("resources_apply", { manifest: deployment("web", 3), field_manager: "other-team", force: true })
    expect(forced.structured?.["results"]).toEqual([expect.objectContaining({ action: "configured", changes: ["spec.replicas: 2 → 3"] })])
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: ns })).spec?.replicas).toBe(3)
    // hand the field back, so later tests start from 2 replicas owned by kube-mcp
    await ok("resources_apply", { manifest: deployment("web", 2), force: true })
  })

  it("applies a CRD that resources_list can list in the next call, then an object of it", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: crdName },
      spec: {
        group: crdGroup,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wdg"] },
        versions: [{
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } },
          additionalPrinterColumns: [{ name: "Size", type: "string", jsonPath: ".spec.size" }]
        }]
      }
    }
    const applied = await ok("resources_apply", { manifest: crd })
    expect(applied.structured?.["results"]).toEqual([expect.objectContaining({ kind: "CustomResourceDefinition", action: "created", established: true })])
    const empty = await ok("resources_list", { group: crdGroup, version: "v1", kind: "Widget", namespace: ns })
    expect(rowsOf(empty)).toEqual([])
    await ok("resources_apply", {
      manifest: `apiVersion: ${crdGroup}/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: large\n  anything: [1, 2]\n`,
      namespace: ns
    })
    const listed = await ok("resources_list", { group: crdGroup, version: "v1", kind: "wdg", namespace: ns })
    expect(rowsOf(listed)).toEqual([expect.objectContaining({ name: "w1", size: "large" })])
    // CRD schemas keep their x-kubernetes-* keys in YAML output
    const got = await ok("resources_get", { group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", name: crdName })
    expect(got.text).toContain("x-kubernetes-preserve-unknown-fields: true")
  })
})

describe("resources_patch", () => {
  it("applies merge, json and strategic patches and reports the changed fields", async () => {
    const merge = await ok("resources_patch", { ...DEPLOY, name: "web", namespace: ns, patch: { metadata: { labels: { tier: "front" } } } })
    expect(merge.structured).toMatchObject({ action: "patched", changes: ["metadata.labels.tier: added \"front\""] })
    const json = await ok("resources_patch", {
      ...CM,
      name: "settings",
      namespace: ns,
      patch_type: "json",
      patch: "[{\"op\": \"add\", \"path\": \"/data/extra\", \"value\": \"1\"}]"
    })
    expect(json.structured).toMatchObject({ action: "patched", changes: ["data.extra: added \"1\""] })
    const strategic = await ok("resources_patch", {
      ...DEPLOY,
      name: "web",
      namespace: ns,
      patch_type: "strategic",
      patch: { spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "MODE", value: "x" }] }] } } } }
    })
    expect(JSON.stringify(strategic.structured?.["changes"])).toContain("env")
    const live = await apps.readNamespacedDeployment({ name: "web", namespace: ns })
    expect(live.spec?.template.spec?.containers[0]?.image).toBe("registry.example/app:1.0") // merged by name, not replaced
    expect(live.metadata?.labels?.["tier"]).toBe("front")
  })

  it("dry_run changes nothing", async () => {
    const r = await ok("resources_patch", { ...CM, name: "settings", namespace: ns, patch: { data: { mode: "dry" } }, dry_run: true })
    expect(r.structured).toMatchObject({ dry_run: true, action: "patched" })
    expect((await core.readNamespacedConfigMap({ name: "settings", namespace: ns })).data?.["mode"]).toBe("slow")
  })

  it("fails with NotFound, InvalidInput for a malformed patch, and InvalidInput for strategic on a custom resource", async () => {
    await fails("resources_patch", { ...CM, name: "missing", namespace: ns, patch: { data: { a: "b" } } }, "NotFound")
    await fails("resources_patch", { ...CM, name: "settings", namespace: ns, patch_type: "json", patch: { data: {} } }, "InvalidInput")
    await fails("resources_patch", { ...CM, name: "settings", namespace: ns, patch: "{not json" }, "InvalidInput")
    const r = await fails("resources_patch", {
      group: crdGroup,
      version: "v1",
      kind: "Widget",
      name: "w1",
      namespace: ns,
      patch_type: "strategic",
      patch: { spec: { size: "small" } }
    }, "InvalidInput")
    expect(r.error?.message).toContain("merge")
  })
})

describe("resources_scale", () => {
  it("reads and sets replicas through /scale, dry run included", async () => {
    const read = await ok("resources_scale", { ...DEPLOY, name: "web", namespace: ns })
    expect(read.structured).toMatchObject({ replicas: 2, selector: "app=web" })
    const dry = await ok("resources_scale", { ...DEPLOY, name: "web", namespace: ns, replicas: 4, dry_run: true })
    expect(dry.structured).toMatchObject({ action: "scaled", previous_replicas: 2, replicas: 4, dry_run: true })
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: ns })).spec?.replicas).toBe(2)
    const set = await ok("resources_scale", { ...DEPLOY, name: "web", namespace: ns, replicas: 1 })
    expect(set.structured).toMatchObject({ action: "scaled", previous_replicas: 2, replicas: 1 })
    expect(set.text).toContain("scaled from 2 to 1")
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: ns })).spec?.replicas).toBe(1)
    // /scale took spec.replicas over (manager kube-mcp, subresource scale): an apply without force now conflicts
    const conflict = await fails("resources_apply", { manifest: deployment("web", 2) }, "Conflict")
    expect(conflict.error?.message).toContain("scale")
    await ok("resources_apply", { manifest: deployment("web", 2), force: true })
  })

  it("says clearly that a kind without /scale cannot be scaled, and NotFound for a missing object", async () => {
    const r = await fails("resources_scale", { ...CM, name: "settings", namespace: ns, replicas: 1 }, "InvalidInput")
    expect(r.error?.message).toContain("no /scale subresource")
    await fails("resources_scale", { ...DEPLOY, name: "missing", namespace: ns }, "NotFound")
  })
})

describe("resources_describe", () => {
  it("shows a pod's owner chain up to its Deployment", async () => {
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" })
    const pod = pods.items[0]?.metadata?.name ?? ""
    const r = await ok("resources_describe", { version: "v1", kind: "Pod", name: pod, namespace: ns })
    expect(r.text).toMatch(/Controlled by:\s+replicaset\.apps\/web-\S+ → deployment\.apps\/web/)
    expect(r.structured?.["owners"]).toEqual([expect.stringMatching(/^replicaset\.apps\/web-/), "deployment.apps/web"])
    expect(r.text).not.toContain("managedFields")
  })

  it("lists the object's events newest first", async () => {
    const r = await ok("resources_describe", { ...DEPLOY, name: "web", namespace: ns })
    expect(r.text).toContain("ScalingReplicaSet")
    const events = r.structured?.["events"]
    expect(Array.isArray(events) && events.length).toBeGreaterThanOrEqual(2)
    // the last scaling (back to 2) happened after the first scale-up from 0
    expect(JSON.stringify(events)).toMatch(/to 2.*from 0 to 2/)
    // the conditions block lists each condition on its own line; which one comes first depends on rollout timing
    expect(r.text).toMatch(/Conditions:\n(?:[ \t]+\S.*\n)*?[ \t]+(Progressing|Available)=True/)
  })

  it("is NotFound for a missing object", async () => {
    await fails("resources_describe", { ...DEPLOY, name: "missing", namespace: ns }, "NotFound")
  })
})

describe("resources_diff", () => {
  it("shows a unified diff of what apply would change, and changes nothing", async () => {
    const r = await ok("resources_diff", { manifest: deployment("web", 5) })
    expect(r.text).toContain(`--- deployment.apps/web -n ${ns} (live)`)
    expect(r.text).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m)
    expect(r.text).toMatch(/^- {2}replicas: 2$/m)
    expect(r.text).toMatch(/^\+ {2}replicas: 5$/m)
    expect(r.text).not.toContain("resourceVersion")
    expect(r.structured).toMatchObject({ objects: [{ kind: "Deployment", name: "web", namespace: ns, status: "changed" }] })
    expect(r.structured?.["diff"]).toBe(r.text)
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: ns })).spec?.replicas).toBe(2)
  })

  it("says no changes when applying would change nothing, and shows a new object as all added", async () => {
    const same = await ok("resources_diff", { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { mode: "slow", extra: "1" } }, namespace: ns })
    expect(same.text).toContain("no changes")
    const fresh = await ok("resources_diff", { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fresh" }, data: { a: "b" } }, namespace: ns })
    expect(fresh.text).toContain("--- /dev/null")
    expect(fresh.text).toMatch(/^\+ {2}a: b$/m)
    expect(fresh.text.split("\n").filter((l) => l.startsWith("-") && !l.startsWith("---"))).toEqual([])
    await expect(core.readNamespacedConfigMap({ name: "fresh", namespace: ns })).rejects.toThrow()
  })

  it("reports an invalid manifest as Invalid", async () => {
    const r = await fails("resources_diff", { manifest: deployment("bad", -3) }, "Invalid")
    expect(r.error?.["causes"]).toEqual([expect.objectContaining({ field: "spec.replicas" })])
  })
})

describe("resources_delete", () => {
  it("deletes an object (dry run first), then NotFound", async () => {
    await ok("resources_apply", { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "doomed", namespace: ns } } })
    const dry = await ok("resources_delete", { ...CM, name: "doomed", namespace: ns, dry_run: true })
    expect(dry.structured).toMatchObject({ action: "would be deleted", dry_run: true })
    await core.readNamespacedConfigMap({ name: "doomed", namespace: ns })
    const r = await ok("resources_delete", { ...CM, name: "doomed", namespace: ns })
    expect(r.structured).toMatchObject({ kind: "ConfigMap", name: "doomed", namespace: ns, action: "deleted" })
    await expect(core.readNamespacedConfigMap({ name: "doomed", namespace: ns })).rejects.toThrow()
    await fails("resources_delete", { ...CM, name: "doomed", namespace: ns }, "NotFound")
  })

  it("reports an object held by finalizers as terminating (Foreground propagation)", async () => {
    await ok("resources_apply", { manifest: deployment("fg", 0) })
    const r = await ok("resources_delete", { ...DEPLOY, name: "fg", namespace: ns, propagation_policy: "Foreground" })
    expect(["terminating", "deleted"]).toContain(r.structured?.["action"])
  })

  it("is Forbidden for the restricted user", async () => {
    const r = await call(server.client, "resources_delete", { ...CM, name: "anything", namespace: "team-a", context: "restricted" })
    expect(r.error).toMatchObject({ type: "Forbidden", cluster: "restricted" })
  })
})

describe("RBAC pre-check and read-only mode", () => {
  it("with require_rbac a denied action fails before any request, naming verb and resource", async () => {
    const strict = await startStdio({ config: "[security]\nrequire_rbac = true\n" })
    try {
      const r = await call(strict.client, "resources_list", { ...DEPLOY, namespace: "team-a", context: "restricted" })
      expect(r.error).toMatchObject({ type: "Forbidden", verb: "list", resource: "deployments", namespace: "team-a" })
      expect(r.error?.details).toContain("no request was sent")
      const allowed = await call(strict.client, "resources_list", { ...CM, namespace: "team-a", context: "restricted" })
      expect(allowed.isError, allowed.text).toBe(false)
    } finally {
      await strict.close()
    }
  })

  it("hides the mutating tools and refuses resources_apply with ReadOnly", async () => {
    const ro = await startStdio({ args: ["--read-only"] })
    try {
      const names = (await ro.client.listTools()).tools.map((t) => t.name)
      expect(names).toEqual(expect.arrayContaining(["resources_list", "resources_get", "resources_describe", "resources_diff"]))
      for (const mutator of ["resources_apply", "resources_patch", "resources_delete", "resources_scale"]) expect(names).not.toContain(mutator)
      const r = await call(ro.client, "resources_apply", { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ro", namespace: ns } } })
      expect(r.error).toMatchObject({ type: "ReadOnly", tool: "resources_apply" })
      await expect(core.readNamespacedConfigMap({ name: "ro", namespace: ns })).rejects.toThrow()
    } finally {
      await ro.close()
    }
  })
})
