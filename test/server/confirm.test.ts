/**
 * confirm_destructive through real MCP clients: the server asks the user (MCP elicitation) before a
 * destructive call on that context, runs it on accept, refuses it with Declined on decline, and with
 * ConfirmationRequired where the client cannot ask (no elicitation capability, 2025-11-25 over stateless HTTP).
 * Dry runs and other contexts never ask. Over stdio and Streamable HTTP, against the real control plane.
 * A 2025-11-25 client is asked with an elicitation/create request; a 2026-07-28 client gets an input_required
 * result and retries the call with the answer (which also works statelessly).
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig, statusOf } from "../cluster/harness.js"
import { call, clusterInfo, connectHttp, connectModernHttp, modernClient, retry, startHttp, startModernStdio, startStdio, STATELESS, type StdioServer } from "../support/mcp.js"

const info = clusterInfo()
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const ns = `kmcp-confirm-${Math.random().toString(36).slice(2, 8)}`
const CONFIG = `[contexts."prod-*"]\nconfirm_destructive = true\n`
const CM = { version: "v1", kind: "ConfigMap", namespace: ns }

/** A client that can ask its user, answering with whatever `answer` holds, and remembering the questions. */
const askingClient = () => {
  const questions: Array<string> = []
  const state: { answer: ElicitResult } = { answer: { action: "accept", content: { confirm: true } } }
  const client = new Client({ name: "kube-mcp-tests-elicit", version: "0.0.0" }, { capabilities: { elicitation: {} } })
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    questions.push(request.params.message)
    return state.answer
  })
  return { client, questions, state }
}

/** The same, as a 2026-07-28 client: the SDK fulfils input_required through its elicitation/create handler. */
const modernAskingClient = () => {
  const questions: Array<string> = []
  const state: { answer: ElicitResult } = { answer: { action: "accept", content: { confirm: true } } }
  const client = modernClient({ capabilities: { elicitation: { form: {} } } })
  client.setRequestHandler("elicitation/create", (request) => {
    questions.push(request.params.message)
    return state.answer
  })
  return { client, questions, state }
}

const exists = (api: CoreV1Api, name: string) =>
  api.readNamespacedConfigMap({ name, namespace: ns }).then(() => true, (e: unknown) => {
    if (statusOf(e) === 404) return false
    throw e
  })

const seed = (api: CoreV1Api, name: string) => retry(() => api.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { a: "1" } } }), name)

let asking: ReturnType<typeof askingClient>
let server: StdioServer
let plain: StdioServer

beforeAll(async () => {
  await Promise.all([prod.createNamespace({ body: { metadata: { name: ns } } }), dev.createNamespace({ body: { metadata: { name: ns } } })])
  asking = askingClient()
  server = await startStdio({ config: CONFIG, client: asking.client })
  plain = await startStdio({ config: CONFIG })
}, 60_000)

afterAll(async () => {
  await server?.close()
  await plain?.close()
  await Promise.allSettled([prod.deleteNamespace({ name: ns }), dev.deleteNamespace({ name: ns })])
})

describe("confirm_destructive over stdio", () => {
  it("decline: Declined, nothing done; the question names tool, context and object", async () => {
    await seed(prod, "keep-me")
    asking.state.answer = { action: "decline" }
    const r = await call(server.client, "resources_delete", { context: "prod-cluster", ...CM, name: "keep-me" })
    expect(r.error?.type).toBe("Declined")
    expect(r.error?.message).toContain("declined")
    expect(asking.questions.at(-1)).toBe(`resources_delete on context "prod-cluster": ConfigMap keep-me in namespace ${ns} (not a dry run). Run it?`)
    expect(await exists(prod, "keep-me")).toBe(true)
    asking.state.answer = { action: "cancel" }
    expect((await call(server.client, "resources_delete", { context: "prod-cluster", ...CM, name: "keep-me" })).error?.type).toBe("Declined")
    expect(await exists(prod, "keep-me")).toBe(true)
  })

  it("accept: the call runs", async () => {
    await seed(prod, "delete-me")
    asking.state.answer = { action: "accept", content: { confirm: true } }
    const before = asking.questions.length
    const r = await call(server.client, "resources_delete", { context: "prod-cluster", ...CM, name: "delete-me" })
    expect(r.isError, r.text).toBe(false)
    expect(asking.questions.length).toBe(before + 1)
    expect(await retry(async () => {
      if (await exists(prod, "delete-me")) throw new Error("still there")
      return true
    }, "deletion")).toBe(true)
  })

  it("dry runs, reads and other contexts never ask", async () => {
    await seed(dev, "dev-one")
    asking.state.answer = { action: "decline" }
    const before = asking.questions.length
    expect((await call(server.client, "resources_delete", { context: "prod-cluster", ...CM, name: "keep-me", dry_run: true })).isError).toBe(false)
    expect((await call(server.client, "resources_get", { context: "prod-cluster", ...CM, name: "keep-me" })).isError).toBe(false)
    expect((await call(server.client, "resources_delete", { context: "dev-cluster", ...CM, name: "dev-one" })).isError).toBe(false)
    expect(asking.questions.length).toBe(before)
    expect(await exists(prod, "keep-me")).toBe(true)
  })

  it("a client without elicitation: ConfirmationRequired, saying how to proceed; nothing done", async () => {
    const r = await call(plain.client, "resources_delete", { context: "prod-cluster", ...CM, name: "keep-me" })
    expect(r.error?.type).toBe("ConfirmationRequired")
    expect(r.error?.message).toContain("cannot ask")
    expect(r.error?.details).toContain("confirm_destructive")
    expect(await exists(prod, "keep-me")).toBe(true)
  })
})

describe("confirm_destructive over Streamable HTTP", () => {
  it("stateful: the question reaches the client on its session stream; decline and accept behave as on stdio", async () => {
    const http = await startHttp({ config: CONFIG })
    try {
      const a = askingClient()
      const client = await connectHttp(http.url, {}, a.client)
      await seed(prod, "http-one")
      a.state.answer = { action: "decline" }
      expect((await call(client, "resources_delete", { context: "prod-cluster", ...CM, name: "http-one" })).error?.type).toBe("Declined")
      expect(await exists(prod, "http-one")).toBe(true)
      a.state.answer = { action: "accept", content: { confirm: true } }
      expect((await call(client, "resources_delete", { context: "prod-cluster", ...CM, name: "http-one" })).isError).toBe(false)
      expect(a.questions).toHaveLength(2)
      await client.close()
    } finally {
      await http.stop()
    }
  }, 60_000)

  it("stateless: no stream to ask on, so ConfirmationRequired", async () => {
    const http = await startHttp({ config: `${CONFIG}${STATELESS}` })
    try {
      const a = askingClient()
      const client = await connectHttp(http.url, {}, a.client)
      const r = await call(client, "resources_delete", { context: "prod-cluster", ...CM, name: "keep-me" })
      expect(r.error?.type).toBe("ConfirmationRequired")
      expect(a.questions).toHaveLength(0)
      expect(await exists(prod, "keep-me")).toBe(true)
      await client.close()
    } finally {
      await http.stop()
    }
  }, 60_000)
})

describe("confirm_destructive with a 2026-07-28 client (input_required, retried with the answer)", () => {
  /** decline, then accept, then a client that cannot ask: the same outcomes as the 2025-11-25 flow. */
  const decideTwice = async (client: ReturnType<typeof modernAskingClient>, name: string) => {
    await seed(prod, name)
    client.state.answer = { action: "decline" }
    const declined = await call(client.client, "resources_delete", { context: "prod-cluster", ...CM, name })
    expect(declined.error?.type, declined.text).toBe("Declined")
    expect(client.questions.at(-1)).toBe(`resources_delete on context "prod-cluster": ConfigMap ${name} in namespace ${ns} (not a dry run). Run it?`)
    expect(await exists(prod, name)).toBe(true)
    client.state.answer = { action: "accept", content: { confirm: true } }
    const accepted = await call(client.client, "resources_delete", { context: "prod-cluster", ...CM, name })
    expect(accepted.isError, accepted.text).toBe(false)
    expect(client.questions).toHaveLength(2)
    expect(await retry(async () => {
      if (await exists(prod, name)) throw new Error("still there")
      return true
    }, "deletion")).toBe(true)
  }

  it.each([
    { mode: "stateful", config: CONFIG },
    { mode: "stateless", config: `${CONFIG}${STATELESS}` }
  ])("Streamable HTTP ($mode): decline refuses, accept runs; a client without elicitation gets ConfirmationRequired", async ({ mode, config }) => {
    const http = await startHttp({ config })
    try {
      const a = modernAskingClient()
      await connectModernHttp(http.url, {}, a.client)
      await decideTwice(a, `modern-${mode}`)
      const plainModern = await connectModernHttp(http.url)
      await seed(prod, `kept-${mode}`)
      const r = await call(plainModern, "resources_delete", { context: "prod-cluster", ...CM, name: `kept-${mode}` })
      expect(r.error?.type).toBe("ConfirmationRequired")
      expect(await exists(prod, `kept-${mode}`)).toBe(true)
      await Promise.all([a.client.close(), plainModern.close()])
    } finally {
      await http.stop()
    }
  }, 60_000)

  it("stdio: decline refuses, accept runs", async () => {
    const a = modernAskingClient()
    const stdio = await startModernStdio({ config: CONFIG, modern: a.client })
    try {
      await decideTwice(a, "modern-stdio")
    } finally {
      await stdio.close()
    }
  }, 60_000)
})
