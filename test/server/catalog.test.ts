/**
 * The catalog (resources, resource templates, prompts, completion) as Effects with the application's live layers
 * (settings from a config file, the kubeconfig registry) against the test control plane: objects read as
 * sanitized YAML under the tools' policy, errors as JSON-RPC codes stating the rule, completions bounded, prompts
 * rendered with their arguments. The same methods over the MCP transports are tested where the server wires them.
 */
import { describe, expect, layer } from "@effect/vitest"
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node"
import { Effect, Layer, Result } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { load } from "js-yaml"
import { afterAll, beforeAll } from "vitest"
import { ClusterRegistryLive } from "../../src/cluster/providers.js"
import { auditLayer } from "../../src/audit/auditLog.js"
import { AppSettings } from "../../src/config/appSettings.js"
import { loadSettings, parseCli } from "../../src/config/load.js"
import { catalog, type CatalogError, CLUSTER_OBJECT_TEMPLATE, CONTEXTS_URI, OBJECT_TEMPLATE } from "../../src/mcp/catalog/index.js"
import { allTools } from "../../src/tools/index.js"
import { adminKubeConfig } from "../cluster/harness.js"
import { clusterInfo, REPO, writeTemp } from "../support/mcp.js"
import { deploymentManifest } from "../support/objects.js"

const info = clusterInfo()
const kc = adminKubeConfig(info, "dev")
const core = kc.makeApiClient(CoreV1Api)
const apps = kc.makeApiClient(AppsV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-cat-${suffix}`
const VALUE = "c4t4log-s3cr3t-VALUE"
const CONFIGMAPS = 120

/** The server's live layers, as main wires them (registry, audit log, settings), over a config file. */
const env = (toml: string) =>
  Layer.mergeAll(ClusterRegistryLive, Layer.unwrap(Effect.map(Effect.service(AppSettings), (s) => auditLayer(s.audit)))).pipe(Layer.provideMerge(Layer.effect(
    AppSettings,
    parseCli(["--config", writeTemp("config.toml", toml), "--kubeconfig", info.kubeconfig]).pipe(
      Effect.flatMap((cli) => loadSettings({ cli, env: {}, cwd: REPO })),
      Effect.orDie
    )
  )))

const POLICY = `[contexts."prod-cluster"]\ndenied_resources = ["secrets"]\n`

const read = (uri: string) => catalog.readResource(uri, { transport: "stdio" })
const readText = (uri: string) => Effect.map(read(uri), (parts) => parts.map((p) => p.text).join(""))
const failure = <A, R>(e: Effect.Effect<A, CatalogError, R>) => Effect.flip(e)

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } })
  await apps.createNamespacedDeployment({ namespace: ns, body: deploymentManifest("web", ns, 1) })
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "creds" }, stringData: { password: VALUE } } })
  for (let i = 0; i < CONFIGMAPS; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, j) =>
      core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${String(i + j).padStart(3, "0")}` }, data: { k: "v" } } })))
  }
})

afterAll(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => undefined)
})

layer(env(POLICY), { excludeTestServices: true })("catalog over the live layers", (it) => {
  describe("resources", () => {
    it.effect("lists k8s://contexts and reads it as config_contexts_list gives it", () =>
      Effect.gen(function*() {
        const listed = yield* catalog.listResources
        expect(listed.map((r) => r.uri)).toEqual([CONTEXTS_URI])
        const [part] = yield* read(CONTEXTS_URI)
        expect(part?.mimeType).toBe("application/json")
        const body = JSON.parse(part?.text ?? "{}")
        expect(body.current_context).toBe("dev-cluster")
        expect(body.contexts.map((c: { name: string }) => c.name)).toEqual(["dev-cluster", "prod-cluster", "restricted"])
        expect(body.contexts[2]).toEqual({ name: "restricted", cluster: "dev", user: "restricted", namespace: "team-a" })
      }))

    it.effect("declares the namespaced and the cluster-scoped object templates", () =>
      Effect.sync(() => {
        expect(catalog.resourceTemplates.map((t) => t.uriTemplate)).toEqual([OBJECT_TEMPLATE, CLUSTER_OBJECT_TEMPLATE])
        expect(OBJECT_TEMPLATE).toBe("k8s://{context}/{group}/{version}/{kind}/{namespace}/{name}")
      }))

    it.effect("reads a Deployment as sanitized YAML", () =>
      Effect.gen(function*() {
        const [part] = yield* read(`k8s://dev-cluster/apps/v1/Deployment/${ns}/web`)
        expect(part?.mimeType).toBe("application/yaml")
        expect(part?.uri).toBe(`k8s://dev-cluster/apps/v1/Deployment/${ns}/web`)
        const obj = load(part?.text ?? "") as { kind: string; metadata: Record<string, unknown>; spec: { replicas: number } }
        expect(obj.kind).toBe("Deployment")
        expect(obj.metadata["name"]).toBe("web")
        expect(obj.metadata["namespace"]).toBe(ns)
        expect(obj.spec.replicas).toBe(1)
        expect(obj.metadata["managedFields"]).toBeUndefined()
      }))

    it.effect("reads a cluster-scoped object; the kind may be spelled as resources_get accepts it", () =>
      Effect.gen(function*() {
        const obj = load(yield* readText(`k8s://dev-cluster/core/v1/Namespace/${ns}`)) as { kind: string; metadata: { name: string } }
        expect(obj.kind).toBe("Namespace")
        expect(obj.metadata.name).toBe(ns)
        const again = load(yield* readText(`k8s://dev-cluster/core/v1/namespaces/${ns}`)) as { kind: string }
        expect(again.kind).toBe("Namespace")
      }))

    it.effect("masks a Secret's values (key and size kept)", () =>
      Effect.gen(function*() {
        const text = yield* readText(`k8s://dev-cluster/core/v1/Secret/${ns}/creds`)
        expect(text).toContain(`password: '<masked: ${VALUE.length} bytes>'`)
        expect(text).not.toContain(VALUE)
        expect(text).not.toContain(Buffer.from(VALUE).toString("base64"))
      }))

    it.effect("refuses what the context's policy denies, before asking the cluster (-32602, the rule named)", () =>
      Effect.gen(function*() {
        const e = yield* failure(read("k8s://prod-cluster/core/v1/Secret/production/anything"))
        expect(e.code).toBe(-32602)
        expect(e.message).toContain("PolicyDenied")
        expect(e.message).toContain("denied_resources")
        expect(e.data).toMatchObject({ type: "PolicyDenied", rule: "denied_resources", cluster: "prod-cluster", resource: "secrets" })
      }))

    it.effect("refuses what the context's user may not read (RBAC, -32602)", () =>
      Effect.gen(function*() {
        const e = yield* failure(read("k8s://restricted/core/v1/Secret/team-a/anything"))
        expect(e.code).toBe(-32602)
        expect(e.data).toMatchObject({ type: "Forbidden", cluster: "restricted" })
      }))

    it.effect("an unknown context, kind or object is not found (-32002), saying what exists", () =>
      Effect.gen(function*() {
        const unknown = yield* failure(read(`k8s://no-such-context/apps/v1/Deployment/${ns}/web`))
        expect(unknown.code).toBe(-32002)
        expect(unknown.data).toMatchObject({ type: "UnknownContext", available: ["dev-cluster", "prod-cluster", "restricted"] })
        expect(unknown.message).toContain("no-such-context")
        const missing = yield* failure(read(`k8s://dev-cluster/apps/v1/Deployment/${ns}/nope`))
        expect(missing.code).toBe(-32002)
        expect(missing.data?.["type"]).toBe("NotFound")
        const kind = yield* failure(read(`k8s://dev-cluster/apps/v1/Widget/${ns}/x`))
        expect(kind.code).toBe(-32002)
        expect(kind.message).toContain("apps/v1 serves")
      }))

    it.effect("a malformed URI is -32602 with the rule it breaks", () =>
      Effect.gen(function*() {
        const cases: ReadonlyArray<readonly [string, string]> = [
          ["https://dev-cluster/apps/v1/Deployment/x/web", "start with k8s://"],
          ["k8s://dev-cluster/apps/v1/Deployment", "5 segments"],
          [`k8s://dev-cluster//v1/ConfigMap/${ns}/cm-000`, `write "core" for the core group`],
          [`k8s://dev-cluster/Apps/v1/Deployment/${ns}/web`, "{group} must be"],
          [`k8s://dev-cluster/apps/v1/Deployment/${ns}/web?x=1`, "no query"],
          ["k8s://dev-cluster/apps/v1/Deployment/Not_A_Namespace/web", "{namespace} must be"],
          ["k8s://dev-cluster/apps/v1/Deployment/%E0%A4%A/web", "percent-encoding"],
          ["k8s://dev-cluster/core/v1/ConfigMap/kube-system/%2E%2E", `{name} cannot be "." or ".."`]
        ]
        for (const [uri, rule] of cases) {
          const e = yield* failure(read(uri))
          expect(e.code, uri).toBe(-32602)
          expect(e.message, uri).toContain(rule)
        }
      }))

    it.effect("the scope must match the form: a namespaced kind without namespace is -32602 naming the other form", () =>
      Effect.gen(function*() {
        const e = yield* failure(read("k8s://dev-cluster/apps/v1/Deployment/web"))
        expect(e.code).toBe(-32602)
        expect(e.message).toContain("namespaced")
        expect(e.message).toContain(OBJECT_TEMPLATE)
        const c = yield* failure(read(`k8s://dev-cluster/core/v1/Namespace/${ns}/x`))
        expect(c.code).toBe(-32602)
        expect(c.message).toContain("cluster-scoped")
      }))
  })

  describe("completion", () => {
    const tpl = (uri: string) => ({ type: "ref/resource" as const, uri })
    const prompt = (name: string) => ({ type: "ref/prompt" as const, name })

    it.effect("context names, by prefix", () =>
      Effect.gen(function*() {
        const d = yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "context", value: "d" }, {})
        expect(d.completion).toEqual({ values: ["dev-cluster"], total: 1, hasMore: false })
        const every = yield* catalog.complete(prompt("troubleshoot_workload"), { name: "context", value: "" }, {})
        expect(every.completion.values).toEqual(["dev-cluster", "prod-cluster", "restricted"])
        // a list argument completes its last item without repeating the ones before
        const list = yield* catalog.complete(prompt("compare_resource"), { name: "contexts", value: "dev-cluster,p" }, {})
        expect(list.completion.values).toEqual(["dev-cluster,prod-cluster"])
      }))

    it.effect("namespaces of the context given", () =>
      Effect.gen(function*() {
        const dev = yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "namespace", value: "kmcp-cat-" }, { context: "dev-cluster" })
        expect(dev.completion.values).toContain(ns)
        expect(dev.completion.values.every((v) => v.startsWith("kmcp-cat-"))).toBe(true)
        const prod = yield* catalog.complete(prompt("troubleshoot_workload"), { name: "namespace", value: "prod" }, { context: "prod-cluster" })
        expect(prod.completion.values).toEqual(["production"])
        const devProd = yield* catalog.complete(prompt("troubleshoot_workload"), { name: "namespace", value: "prod" }, { context: "dev-cluster" })
        expect(devProd.completion.values).toEqual([])
        // restricted may not list namespaces: its own namespace is offered, from the kubeconfig
        const restricted = yield* catalog.complete(prompt("troubleshoot_workload"), { name: "namespace", value: "" }, { context: "restricted" })
        expect(restricted.completion.values).toEqual(["team-a"])
      }))

    it.effect("groups, versions and kinds from discovery, each template its own scope", () =>
      Effect.gen(function*() {
        const groups = yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "group", value: "ap" }, { context: "dev-cluster" })
        expect(groups.completion.values).toContain("apps")
        expect((yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "group", value: "co" }, { context: "dev-cluster" })).completion.values).toContain("core")
        const versions = yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "version", value: "" }, { context: "dev-cluster", group: "apps" })
        expect(versions.completion.values).toEqual(["v1"])
        const kinds = yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "kind", value: "D" }, { context: "dev-cluster", group: "apps", version: "v1" })
        expect(kinds.completion.values).toEqual(["DaemonSet", "Deployment"])
        const clusterKinds = yield* catalog.complete(tpl(CLUSTER_OBJECT_TEMPLATE), { name: "kind", value: "N" }, { context: "dev-cluster", group: "core", version: "v1" })
        expect(clusterKinds.completion.values).toEqual(["Namespace", "Node"])
        const namespacedKinds = yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "kind", value: "N" }, { context: "dev-cluster", group: "core", version: "v1" })
        expect(namespacedKinds.completion.values).toEqual([])
        // a prompt's kind: every served kind; a kind the policy denies is not offered
        const stateful = yield* catalog.complete(prompt("compare_resource"), { name: "kind", value: "stateful" }, { contexts: "dev-cluster,prod-cluster" })
        expect(stateful.completion.values).toEqual(["StatefulSet"])
        const secretsDev = yield* catalog.complete(prompt("troubleshoot_workload"), { name: "kind", value: "Secr" }, { context: "dev-cluster" })
        expect(secretsDev.completion.values).toEqual(["Secret"])
        const secretsProd = yield* catalog.complete(prompt("troubleshoot_workload"), { name: "kind", value: "Secr" }, { context: "prod-cluster" })
        expect(secretsProd.completion.values).toEqual([])
      }))

    it.effect("object names: at most 100, with total and hasMore", () =>
      Effect.gen(function*() {
        const cms = yield* catalog.complete(
          tpl(OBJECT_TEMPLATE),
          { name: "name", value: "cm-" },
          { context: "dev-cluster", group: "core", version: "v1", kind: "ConfigMap", namespace: ns }
        )
        expect(cms.completion.values).toHaveLength(100)
        expect(cms.completion.values[0]).toBe("cm-000")
        expect(cms.completion).toMatchObject({ total: CONFIGMAPS, hasMore: true })
        const few = yield* catalog.complete(
          tpl(OBJECT_TEMPLATE),
          { name: "name", value: "cm-11" },
          { context: "dev-cluster", group: "core", version: "v1", kind: "ConfigMap", namespace: ns }
        )
        expect(few.completion).toEqual({ values: Array.from({ length: 10 }, (_, i) => `cm-11${i}`), total: 10, hasMore: false })
        const web = yield* catalog.complete(prompt("troubleshoot_workload"), { name: "name", value: "w" }, { context: "dev-cluster", namespace: ns })
        expect(web.completion.values).toEqual(["web"])
      }))

    it.effect("never fails: an unknown context, a denied kind or an unknown ref give no values", () =>
      Effect.gen(function*() {
        const none = { values: [], total: 0, hasMore: false }
        expect((yield* catalog.complete(tpl(OBJECT_TEMPLATE), { name: "namespace", value: "" }, { context: "no-such" })).completion).toEqual(none)
        const denied = yield* catalog.complete(
          tpl(OBJECT_TEMPLATE),
          { name: "name", value: "" },
          { context: "prod-cluster", group: "core", version: "v1", kind: "Secret", namespace: "production" }
        )
        expect(denied.completion).toEqual(none)
        expect((yield* catalog.complete(tpl("k8s://other/{x}"), { name: "x", value: "" }, {})).completion).toEqual(none)
        expect((yield* catalog.complete(prompt("no_such_prompt"), { name: "context", value: "" }, {})).completion).toEqual(none)
      }))
  })

  describe("prompts", () => {
    it.effect("are listed with described arguments", () =>
      Effect.sync(() => {
        expect(catalog.prompts.map((p) => p.name)).toEqual(["troubleshoot_workload", "fleet_health", "compare_resource", "plan_dr_copy"])
        for (const p of catalog.prompts) {
          expect(p.description?.length ?? 0, p.name).toBeGreaterThan(20)
          for (const a of p.arguments ?? []) expect(a.description?.length ?? 0, `${p.name}.${a.name}`).toBeGreaterThan(5)
        }
      }))

    it.effect("troubleshoot_workload names the tools with the resolved kind and the arguments given", () =>
      Effect.gen(function*() {
        const r = yield* catalog.getPrompt("troubleshoot_workload", { name: "web", namespace: ns, context: "dev-cluster" })
        const text = r.messages[0]?.content.text ?? ""
        expect(r.messages[0]?.role).toBe("user")
        expect(text).toContain(`resources_describe {"context":"dev-cluster","namespace":"${ns}","group":"apps","version":"v1","kind":"Deployment","name":"web"}`)
        expect(text).toContain(`"previous":true`)
        expect(text).toContain("events_list")
        expect(text).toContain(`rollout_status {"context":"dev-cluster","namespace":"${ns}","kind":"Deployment","name":"web"}`)
        // defaults: the current context and its namespace; the core group is omitted, as the tools take it;
        // a Pod skips relationships and rollouts
        const pod = yield* catalog.getPrompt("troubleshoot_workload", { name: "p", kind: "pod" })
        const podText = pod.messages[0]?.content.text ?? ""
        expect(podText).toContain(`resources_describe {"context":"dev-cluster","namespace":"default","version":"v1","kind":"Pod","name":"p"}`)
        expect(podText).not.toContain("rollout_status")
      }))

    it.effect("every tool call a prompt names is a tool, and its arguments pass that tool's own decoder", () =>
      Effect.gen(function*() {
        const texts = [
          yield* catalog.getPrompt("troubleshoot_workload", { name: "web", namespace: ns }),
          yield* catalog.getPrompt("troubleshoot_workload", { name: "p", kind: "Pod" }),
          yield* catalog.getPrompt("fleet_health", { contexts: "dev-*" }),
          yield* catalog.getPrompt("compare_resource", { kind: "ConfigMap", contexts: "dev-cluster,prod-cluster", namespace: "default" }),
          yield* catalog.getPrompt("plan_dr_copy", { from_context: "dev-cluster", to_context: "prod-cluster", namespace: ns, to_namespace: "dr", label_selector: "app=web" })
        ].map((r) => r.messages[0]?.content.text ?? "")
        const calls = texts.flatMap((t) => [...t.matchAll(/\b([a-z]+_[a-z_]+) (\{[^\n]*?\})(?= —| to |$| for |\n)/gm)].map((m) => ({ tool: m[1] ?? "", json: m[2] ?? "" })))
        expect(calls.length).toBeGreaterThan(25)
        let decoded = 0
        for (const c of calls) {
          const tool = allTools.find((t) => t.name === c.tool)
          expect(tool, `${c.tool} is not a tool`).toBeDefined()
          if (tool === undefined || c.json.includes("<")) continue // placeholders the model fills in
          const { context: _context, ...args } = JSON.parse(c.json) as Record<string, unknown>
          const { contexts, ...own } = args
          const prepared = tool.prepare(tool.clusterScoped ? (tool.fanout ? own : args) : args)
          expect(Result.isSuccess(prepared), `${c.tool} ${c.json}`).toBe(true)
          if (!tool.fanout && contexts !== undefined) expect(tool.clusterScoped, `${c.tool} takes no contexts`).toBe(false)
          decoded++
        }
        expect(decoded).toBeGreaterThan(15)
      }))

    it.effect("docs/resources-and-prompts.md documents every prompt, argument and template", () =>
      Effect.sync(() => {
        const doc = readFileSync(join(REPO, "docs/resources-and-prompts.md"), "utf8")
        for (const t of catalog.resourceTemplates) expect(doc).toContain(`\`${t.uriTemplate}\``)
        expect(doc).toContain(`\`${CONTEXTS_URI}\``)
        for (const p of catalog.prompts) {
          const section = doc.slice(doc.indexOf(`### \`${p.name}\``))
          expect(section.length, p.name).toBeLessThan(doc.length)
          const table = section.slice(0, section.indexOf("\n### ") > 0 ? section.indexOf("\n### ") : undefined)
          for (const a of p.arguments ?? []) expect(table, `${p.name}.${a.name}`).toMatch(new RegExp(`\\| \`${a.name}\` \\| ${a.required === true ? "yes " : ""}\\|`))
        }
      }))

    it.effect("a missing required argument, an unknown one or an unknown prompt is -32602 stating the rule", () =>
      Effect.gen(function*() {
        const missing = yield* failure(catalog.getPrompt("troubleshoot_workload", { namespace: ns }))
        expect(missing.code).toBe(-32602)
        expect(missing.message).toContain(`needs argument "name"`)
        const blank = yield* failure(catalog.getPrompt("plan_dr_copy", { from_context: "dev-cluster", to_context: " ", namespace: ns }))
        expect(blank.message).toContain(`"to_context"`)
        const extra = yield* failure(catalog.getPrompt("fleet_health", { cluster: "x" }))
        expect(extra.code).toBe(-32602)
        expect(extra.message).toContain(`has no argument "cluster"`)
        const unknown = yield* failure(catalog.getPrompt("nope", {}))
        expect(unknown.code).toBe(-32602)
        expect(unknown.message).toContain("troubleshoot_workload")
        const badNs = yield* failure(catalog.getPrompt("troubleshoot_workload", { name: "web", namespace: "Bad_NS" }))
        expect(badNs.message).toContain("namespace must be a namespace name")
      }))

    it.effect("arguments naming nothing are refused: an unknown context or kind, one context to compare", () =>
      Effect.gen(function*() {
        const ctx = yield* failure(catalog.getPrompt("troubleshoot_workload", { name: "web", context: "no-such" }))
        expect(ctx.code).toBe(-32602)
        expect(ctx.data).toMatchObject({ type: "UnknownContext" })
        const kind = yield* failure(catalog.getPrompt("troubleshoot_workload", { name: "web", kind: "Widget" }))
        expect(kind.code).toBe(-32602)
        expect(kind.message).toContain(`Kind "Widget" is not served`)
        const kinds = yield* failure(catalog.getPrompt("plan_dr_copy", { from_context: "dev-cluster", to_context: "prod-cluster", namespace: ns, kinds: "ConfigMap,Widget,Gadget" }))
        expect(kinds.code).toBe(-32602)
        expect(kinds.message).toContain(`Kinds "Widget", "Gadget" are not served by context "dev-cluster"`)
        const one = yield* failure(catalog.getPrompt("compare_resource", { kind: "Deployment", contexts: "dev-*" }))
        expect(one.message).toContain("at least two contexts")
      }))

    it.effect("fleet_health, compare_resource and plan_dr_copy render their calls", () =>
      Effect.gen(function*() {
        const fleet = (yield* catalog.getPrompt("fleet_health", { contexts: "*-cluster" })).messages[0]?.content.text ?? ""
        expect(fleet).toContain("2 Kubernetes context(s) (dev-cluster, prod-cluster)")
        expect(fleet).toContain(`clusters_overview {"contexts":["*-cluster"]}`)
        const all = (yield* catalog.getPrompt("fleet_health", {})).messages[0]?.content.text ?? ""
        expect(all).toContain("3 Kubernetes context(s)")
        const cmp = (yield* catalog.getPrompt("compare_resource", { kind: "deploy", name: "web", contexts: "dev-cluster, prod-cluster" })).messages[0]?.content.text ?? ""
        expect(cmp).toContain(`resources_compare {"group":"apps","version":"v1","kind":"Deployment","name":"web","contexts":["dev-cluster","prod-cluster"]}`)
        const dr = (yield* catalog.getPrompt("plan_dr_copy", { from_context: "dev-cluster", to_context: "prod-cluster", namespace: ns, kinds: "ConfigMap,Deployment" }))
          .messages[0]?.content.text ?? ""
        expect(dr).toContain(
          `resources_copy {"from_context":"dev-cluster","to_context":"prod-cluster","dry_run":true,"version":"v1","kind":"ConfigMap","namespace":"${ns}"}`
        )
        expect(dr).toContain(`resources_export {"context":"dev-cluster","group":"apps","version":"v1","kind":"Deployment","namespace":"${ns}"}`)
        expect(dr).toContain("Do not run them until I confirm")
        const same = yield* failure(catalog.getPrompt("plan_dr_copy", { from_context: "dev-cluster", to_context: "dev-cluster", namespace: ns }))
        expect(same.message).toContain("must differ")
      }))
  })
})

layer(env(`[kubernetes]\ncontexts_deny = ["prod-*"]\n`), { excludeTestServices: true })("contexts hidden by contexts_deny", (it) => {
  it.effect("are neither listed, completed nor readable", () =>
    Effect.gen(function*() {
      const body = JSON.parse((yield* read(CONTEXTS_URI))[0]?.text ?? "{}")
      expect(body.contexts.map((c: { name: string }) => c.name)).toEqual(["dev-cluster", "restricted"])
      const completed = yield* catalog.complete({ type: "ref/prompt", name: "fleet_health" }, { name: "contexts", value: "" }, {})
      expect(completed.completion.values).toEqual(["dev-cluster", "restricted"])
      const e = yield* failure(read("k8s://prod-cluster/core/v1/Namespace/production"))
      expect(e.code).toBe(-32002)
      expect(e.data).toMatchObject({ type: "UnknownContext", available: ["dev-cluster", "restricted"] })
    }))
})

const auditPath = join(writeTemp("keep", ""), "..", "audit.log")

layer(env(`[audit]\npath = "${auditPath}"\ninclude = "all"\n`), { excludeTestServices: true })("with the audit log taking every call", (it) => {
  it.effect("each object read is a line naming the object and its outcome, never its content", () =>
    Effect.gen(function*() {
      yield* read(`k8s://dev-cluster/core/v1/Secret/${ns}/creds`)
      yield* Effect.flip(read(`k8s://dev-cluster/apps/v1/Deployment/${ns}/nope`))
      const lines = readFileSync(auditPath, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatchObject({
        caller: { transport: "stdio" },
        tool: "resources/read",
        verb: "read",
        context: "dev-cluster",
        objects: [{ apiVersion: "v1", kind: "Secret", namespace: ns, name: "creds" }],
        outcome: "ok"
      })
      expect(lines[1]).toMatchObject({ tool: "resources/read", outcome: "NotFound", objects: [{ apiVersion: "apps/v1", kind: "Deployment", name: "nope" }] })
      expect(readFileSync(auditPath, "utf8")).not.toContain(Buffer.from(VALUE).toString("base64"))
    }))
})
