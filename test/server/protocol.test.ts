/**
 * Both MCP generations from one server: an SDK v1 client (2025-11-25: initialize, Mcp-Session-Id) and an SDK
 * v2 client pinned to 2026-07-28 (server/discover, the per-request envelope, no session) against the same
 * process, over Streamable HTTP (stateful and stateless) and stdio. Progress reaches both over HTTP.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import { CallToolResultSchema, LoggingMessageNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js"
import { CoreV1Api } from "@kubernetes/client-node"
import yaml from "js-yaml"
import { readFileSync, writeFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, connectHttp, connectModernHttp, HTTP_MODES, type HttpServerProcess, MODERN, type ModernClient, modernClient, startHttp, startModernStdio, startStdio, writeTemp } from "../support/mcp.js"

const core = adminKubeConfig(clusterInfo(), "dev").makeApiClient(CoreV1Api)

/** Resolves with the number of notifications once `count` arrived; fails after `ms`. */
const counter = () => {
  let n = 0
  const waiters: Array<() => void> = []
  return {
    count: () => n,
    hit: () => {
      n++
      for (const w of waiters.splice(0)) w()
    },
    atLeast: (count: number, ms = 15_000) =>
      new Promise<number>((ok, fail) => {
        const check = () => (n >= count ? ok(n) : waiters.push(check))
        setTimeout(() => fail(new Error(`${n} of ${count} list_changed notifications within ${ms} ms`)), ms)
        check()
      })
  }
}

/** Contexts of the test control plane's kubeconfig, as the server lists them. */
const contextsOf = async (client: Parameters<typeof call>[0]): Promise<ReadonlyArray<string>> => {
  const r = await call(client, "config_contexts_list")
  const contexts = r.structured?.["contexts"]
  return Array.isArray(contexts) ? contexts.map((c: unknown) => (typeof c === "object" && c !== null && "name" in c ? String(c.name) : "")) : []
}

/** What a transport delivers, in wire order: progress values, then "result" (see test/tools/fleet.test.ts for why not onprogress). */
const recordWire = (transport: Pick<Transport, "onmessage"> | undefined) => {
  if (transport === undefined) throw new Error("not connected")
  const wire: Array<number | "result"> = []
  const totals = new Set<number>()
  const deliver = transport.onmessage
  transport.onmessage = (message, extra) => {
    if ("method" in message && message.method === "notifications/progress") {
      wire.push(Number(message.params?.["progress"]))
      totals.add(Number(message.params?.["total"]))
    } else if ("result" in message) wire.push("result")
    deliver?.(message, extra)
  }
  return { wire, totals, restore: () => void (transport.onmessage = deliver) }
}

/** Calls `send` while recording what `transport` delivers; the call must succeed. */
const recorded = async (
  transport: Pick<Transport, "onmessage"> | undefined,
  send: () => Promise<{ readonly [key: string]: unknown; readonly isError?: unknown; readonly content?: unknown }>
) => {
  const seen = recordWire(transport)
  try {
    const r = await send()
    expect(r.isError ?? false, JSON.stringify(r.content)).toBe(false)
  } finally {
    seen.restore()
  }
  return seen
}

describe.each(HTTP_MODES)("Streamable HTTP ($mode): both generations from one server", ({ mode, config }) => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp({ config })
  })
  afterAll(() => server?.stop())

  /** A 2025-11-25 client and a 2026-07-28 client on this server, closed after `f`. */
  const withBoth = async (f: (old: Client, modern: ModernClient) => Promise<void>) => {
    const old = await connectHttp(server.url)
    const modern = await connectModernHttp(server.url)
    try {
      await f(old, modern)
    } finally {
      await Promise.all([old.close(), modern.close()])
    }
  }

  it("a 2025-11-25 client and a 2026-07-28 client list and call the same tools", () =>
    withBoth(async (old, modern) => {
      expect(old.getServerVersion()?.name).toBe("kube-mcp")
      expect(modern.getNegotiatedProtocolVersion()).toBe(MODERN)
      const [a, b] = await Promise.all([old.listTools(), modern.listTools()])
      expect(b.tools.map((t) => t.name)).toEqual(a.tools.map((t) => t.name))
      expect(a.tools.length).toBeGreaterThan(10)
      const r = await call(modern, "namespaces_list", { context: "prod-cluster" })
      expect(r.isError, r.text).toBe(false)
      expect(r.text).toContain("production")
      // the same instructions in initialize and server/discover: clusters, budgets, paging, masking
      expect(modern.getInstructions()).toBe(old.getInstructions())
      for (const topic of ["`context`", "`contexts`", "capped", "`limit`", "`continue`", "masked"]) expect(old.getInstructions()).toContain(topic)
      // the 2025 client keeps its session in stateful mode; stateless hands out none
      const sessionId = old.transport !== undefined && "sessionId" in old.transport ? old.transport.sessionId : undefined
      expect(sessionId === undefined).toBe(mode === "stateless")
    }), 60_000)

  it("progress: one notification per context of a fan-out call, before the result, for either client", () =>
    withBoth(async (old, modern) => {
      const contexts = await contextsOf(old)
      expect(contexts.length).toBeGreaterThan(1)
      const fanout = { name: "namespaces_list", arguments: { contexts: ["*"] } }
      for (
        const seen of [
          await recorded(old.transport, () => old.callTool(fanout, CallToolResultSchema, { onprogress: () => undefined })),
          await recorded(modern.transport, () => modern.callTool(fanout, { onprogress: () => undefined }))
        ]
      ) {
        expect(seen.wire).toEqual([...contexts.map((_, i) => i + 1), "result"])
        expect([...seen.totals]).toEqual([contexts.length])
      }
    }), 60_000)

  it("progress: resources_wait reports each poll before its result, for either client", () =>
    withBoth(async (old, modern) => {
      const name = `kmcp-wait-${mode}-${Math.random().toString(36).slice(2, 8)}`
      const set = (value: string) => core.patchNamespacedConfigMap({ name, namespace: "default", body: [{ op: "replace", path: "/data/ready", value }] })
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name }, data: { ready: "no" } } })
      try {
        const wait = { name: "resources_wait", arguments: { context: "dev-cluster", version: "v1", kind: "ConfigMap", namespace: "default", name, jsonpath: "{.data.ready}", value: "yes", timeout: 30 } }
        const sends = [
          [old.transport, () => old.callTool(wait, CallToolResultSchema, { onprogress: () => undefined })],
          [modern.transport, () => modern.callTool(wait, { onprogress: () => undefined })]
        ] as const
        for (const [transport, send] of sends) {
          await set("no")
          setTimeout(() => void set("yes"), 2500)
          const seen = await recorded(transport, send)
          expect(seen.wire.length).toBeGreaterThan(2)
          expect(seen.wire.at(-1)).toBe("result")
          expect(seen.wire.slice(0, -1).every((p) => typeof p === "number")).toBe(true)
        }
      } finally {
        await core.deleteNamespacedConfigMap({ name, namespace: "default" }).catch(() => undefined)
      }
    }), 60_000)

  it("a call without a progressToken is answered as plain JSON, with one as an SSE stream", async () => {
    const modern = await connectModernHttp(server.url)
    await modern.close()
    const envelope = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "0" }, "io.modelcontextprotocol/clientCapabilities": {} }
    const post = (meta: Record<string, unknown>) =>
      fetch(`${server.url}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "namespaces_list" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "namespaces_list", arguments: { contexts: ["*"] }, _meta: { ...envelope, ...meta } } })
      })
    const plain = await post({})
    expect(plain.status, await plain.clone().text()).toBe(200)
    expect(plain.headers.get("content-type")).toContain("application/json")
    const streamed = await post({ progressToken: "p1" })
    expect(streamed.headers.get("content-type")).toContain("text/event-stream")
    const text = await streamed.text()
    expect(text).toContain("notifications/progress")
    expect(text.indexOf("notifications/progress")).toBeLessThan(text.indexOf("\"result\""))
  }, 60_000)
})

describe("stdio: a 2026-07-28 client", () => {
  it("negotiates 2026-07-28 and lists and calls tools", async () => {
    const server = await startModernStdio()
    try {
      expect(server.client.getNegotiatedProtocolVersion()).toBe(MODERN)
      expect((await server.client.listTools()).tools.length).toBeGreaterThan(10)
      const r = await call(server.client, "namespaces_list", { context: "prod-cluster" })
      expect(r.isError, r.text).toBe(false)
      expect(r.text).toContain("production")
    } finally {
      await server.close()
    }
  }, 60_000)
})

describe("list_changed: the kubeconfig is edited while clients are connected", () => {
  /** A kubeconfig without one of its contexts. */
  const without = (text: string, name: string): string => {
    const kc = yaml.load(text)
    if (typeof kc !== "object" || kc === null || !("contexts" in kc) || !Array.isArray(kc.contexts)) throw new Error("not a kubeconfig")
    return yaml.dump({ ...kc, contexts: kc.contexts.filter((c: unknown) => typeof c !== "object" || c === null || !("name" in c) || c.name !== name) })
  }

  it("HTTP: both generations get tools/ and resources/list_changed, and then see the new contexts", async () => {
    const original = readFileSync(clusterInfo().kubeconfig, "utf8")
    const kubeconfig = writeTemp("kubeconfig", original)
    const server = await startHttp({ kubeconfig })
    const oldHits = counter()
    const modernHits = counter()
    const oldResources = counter()
    const modernResources = counter()
    const old = new Client({ name: "kube-mcp-tests", version: "0.0.0" })
    old.setNotificationHandler(ToolListChangedNotificationSchema, () => oldHits.hit())
    old.setNotificationHandler(ResourceListChangedNotificationSchema, () => oldResources.hit())
    const modern = modernClient({
      listChanged: {
        tools: { autoRefresh: false, onChanged: () => modernHits.hit() },
        resources: { autoRefresh: false, onChanged: () => modernResources.hit() }
      }
    })
    try {
      await connectHttp(server.url, {}, old)
      await connectModernHttp(server.url, {}, modern)
      expect(await contextsOf(old)).toContain("restricted")
      // the watch starts with the first listener; give it a reading to compare with
      await new Promise((r) => setTimeout(r, 1500))
      // rewritten with the same contexts (the file changed, the contexts did not): nothing to announce
      writeFileSync(kubeconfig, `${original}\n`)
      await new Promise((r) => setTimeout(r, 2500))
      expect([oldHits.count(), modernHits.count(), oldResources.count(), modernResources.count()]).toEqual([0, 0, 0, 0])
      writeFileSync(kubeconfig, without(original, "restricted"))
      await Promise.all([oldHits.atLeast(1), modernHits.atLeast(1), oldResources.atLeast(1), modernResources.atLeast(1)])
      expect(await contextsOf(old)).not.toContain("restricted")
      expect(await contextsOf(modern)).not.toContain("restricted")
    } finally {
      await Promise.allSettled([old.close(), modern.close()])
      await server.stop()
    }
  }, 60_000)

  it("stdio: both generations get tools/list_changed", async () => {
    const original = readFileSync(clusterInfo().kubeconfig, "utf8")
    const oldConfig = writeTemp("kubeconfig", original)
    const modernConfig = writeTemp("kubeconfig", original)
    const oldHits = counter()
    const modernHits = counter()
    const oldClient = new Client({ name: "kube-mcp-tests", version: "0.0.0" })
    oldClient.setNotificationHandler(ToolListChangedNotificationSchema, () => oldHits.hit())
    const old = await startStdio({ kubeconfig: oldConfig, client: oldClient })
    const modern = await startModernStdio({ kubeconfig: modernConfig, modern: modernClient({ listChanged: { tools: { autoRefresh: false, onChanged: () => modernHits.hit() } } }) })
    try {
      await new Promise((r) => setTimeout(r, 1500))
      writeFileSync(oldConfig, without(original, "restricted"))
      writeFileSync(modernConfig, without(original, "restricted"))
      await Promise.all([oldHits.atLeast(1), modernHits.atLeast(1)])
      expect(await contextsOf(old.client)).not.toContain("restricted")
      expect(await contextsOf(modern.client)).not.toContain("restricted")
    } finally {
      await Promise.allSettled([old.close(), modern.close()])
    }
  }, 60_000)
})

describe("logging (2025-11-25 only; deprecated in 2026-07-28)", () => {
  it("HTTP: the old generation gets log lines at and above the level it set; the new one is not offered logging", async () => {
    const server = await startHttp({ args: ["--log-level", "debug"] })
    const messages: Array<{ readonly level: string; readonly data: unknown }> = []
    const old = new Client({ name: "kube-mcp-tests", version: "0.0.0" })
    old.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push({ level: n.params.level, data: n.params.data }))
    const modern = modernClient()
    const toolCalls = () => messages.filter((m) => typeof m.data === "object" && m.data !== null && "message" in m.data && m.data.message === "tool call")
    try {
      await connectHttp(server.url, {}, old)
      await connectModernHttp(server.url, {}, modern)
      expect(old.getServerCapabilities()?.logging).toEqual({})
      expect(modern.getServerCapabilities()?.logging).toBeUndefined()
      await call(old, "config_contexts_list")
      expect(messages, "nothing before logging/setLevel").toEqual([])
      await old.setLoggingLevel("debug")
      await call(old, "namespaces_list", { context: "prod-cluster" })
      await expect.poll(() => toolCalls().length).toBe(1)
      expect(toolCalls()[0]).toMatchObject({ level: "debug", data: { tool: "namespaces_list", context: "prod-cluster" } })
      await old.setLoggingLevel("warning")
      await call(old, "namespaces_list", { context: "prod-cluster" })
      await call(old, "config_contexts_list")
      expect(toolCalls()).toHaveLength(1)
    } finally {
      await Promise.allSettled([old.close(), modern.close()])
      await server.stop()
    }
  }, 60_000)
})

/** What the catalog test needs of a client: either SDK generation. */
interface CatalogClient {
  readonly listResources: () => Promise<{ readonly resources: ReadonlyArray<{ readonly uri: string }> }>
  readonly listResourceTemplates: () => Promise<{ readonly resourceTemplates: ReadonlyArray<{ readonly uriTemplate: string }> }>
  readonly readResource: (p: { uri: string }) => Promise<{ readonly contents: ReadonlyArray<object> }>
  readonly listPrompts: () => Promise<{ readonly prompts: ReadonlyArray<{ readonly name: string }> }>
  readonly getPrompt: (p: { name: string; arguments: Record<string, string> }) => Promise<{ readonly messages: ReadonlyArray<{ readonly content: object }> }>
  readonly complete: (p: {
    ref: { type: "ref/resource"; uri: string } | { type: "ref/prompt"; name: string }
    argument: { name: string; value: string }
    context?: { arguments: Record<string, string> }
  }) => Promise<{ readonly completion: { readonly values: ReadonlyArray<string> } }>
}

const textOf = (o: object): string => ("text" in o && typeof o.text === "string" ? o.text : "")

describe("resources, prompts and completion over HTTP, for both generations", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp()
  })
  afterAll(() => server?.stop())

  const exercise = async (client: CatalogClient) => {
    expect((await client.listResources()).resources.map((r) => r.uri)).toContain("k8s://contexts")
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(
      expect.arrayContaining(["k8s://{context}/{group}/{version}/{kind}/{namespace}/{name}", "k8s://{context}/{group}/{version}/{kind}/{name}"])
    )
    expect((await client.readResource({ uri: "k8s://contexts" })).contents.map(textOf).join()).toContain("prod-cluster")
    const ns = await client.readResource({ uri: "k8s://prod-cluster/core/v1/Namespace/production" })
    expect(ns.contents.map(textOf).join()).toMatch(/name: production/u)
    // an unknown object: a JSON-RPC error stating what is missing (-32002 goes out as -32602, as the spec asks)
    await expect(client.readResource({ uri: "k8s://prod-cluster/core/v1/Namespace/no-such-namespace" })).rejects.toThrow(/no-such-namespace/u)
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(
      expect.arrayContaining(["troubleshoot_workload", "fleet_health", "compare_resource", "plan_dr_copy"])
    )
    const prompt = await client.getPrompt({ name: "troubleshoot_workload", arguments: { context: "prod-cluster", name: "web" } })
    expect(prompt.messages.map((m) => textOf(m.content)).join()).toContain("prod-cluster")
    await expect(client.getPrompt({ name: "no_such_prompt", arguments: {} })).rejects.toThrow(/no_such_prompt/u)
    const contexts = await client.complete({
      ref: { type: "ref/resource", uri: "k8s://{context}/{group}/{version}/{kind}/{namespace}/{name}" },
      argument: { name: "context", value: "pro" }
    })
    expect(contexts.completion.values).toEqual(["prod-cluster"])
    const namespaces = await client.complete({
      ref: { type: "ref/prompt", name: "troubleshoot_workload" },
      argument: { name: "namespace", value: "produ" },
      context: { arguments: { context: "prod-cluster" } }
    })
    expect(namespaces.completion.values).toContain("production")
  }

  it.each([
    { generation: "2025-11-25 (SDK v1 client)", connect: connectHttp },
    { generation: "2026-07-28 (SDK v2 client)", connect: (url: string) => connectModernHttp(url) }
  ])("$generation", async ({ connect }) => {
    const client = await connect(server.url)
    try {
      expect(client.getServerCapabilities()).toMatchObject({ resources: { listChanged: true }, prompts: {}, completions: {} })
      await exercise(client)
    } finally {
      await client.close()
    }
  }, 60_000)
})
