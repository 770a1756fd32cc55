/**
 * A fake API server for kube/objects.ts tests: discovery for the core group, apps/v1, apiextensions and
 * metrics.k8s.io, plus the test's own routes by "METHOD path". Unrouted requests answer 404 with a Status,
 * as the API server does.
 */
import type { ApiRequest } from "../../src/cluster/restClient.js"
import { type FakeAnswer, fakeServer, type FakeServer } from "../support/kube.js"

const ALL = ["create", "delete", "get", "list", "patch", "update", "watch"]

export const DISCOVERY: Readonly<Record<string, unknown>> = {
  "/api/v1": {
    resources: [
      { name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ALL, shortNames: ["po"] },
      { name: "configmaps", singularName: "configmap", namespaced: true, kind: "ConfigMap", verbs: ALL, shortNames: ["cm"] },
      { name: "secrets", singularName: "secret", namespaced: true, kind: "Secret", verbs: ALL },
      { name: "namespaces", singularName: "namespace", namespaced: false, kind: "Namespace", verbs: ALL, shortNames: ["ns"] },
      { name: "componentstatuses", singularName: "componentstatus", namespaced: false, kind: "ComponentStatus", verbs: ["get", "list"] }
    ]
  },
  "/apis/apps/v1": {
    resources: [
      { name: "deployments", singularName: "deployment", namespaced: true, kind: "Deployment", verbs: ALL, shortNames: ["deploy"] },
      { name: "deployments/scale", singularName: "", namespaced: true, kind: "Scale", verbs: ["get", "patch", "update"] },
      { name: "replicasets", singularName: "replicaset", namespaced: true, kind: "ReplicaSet", verbs: ALL, shortNames: ["rs"] }
    ]
  },
  "/apis/apiextensions.k8s.io/v1": {
    resources: [{ name: "customresourcedefinitions", singularName: "customresourcedefinition", namespaced: false, kind: "CustomResourceDefinition", verbs: ALL }]
  },
  "/apis/metrics.k8s.io/v1beta1": {
    resources: [{ name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] }]
  }
}

export const notFound = (message: string): FakeAnswer => ({
  status: 404,
  body: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message }
})

/** Routes: "GET /api/v1/namespaces/default/configmaps/a" → an answer, or a function of the request. */
export type Routes = Readonly<Record<string, FakeAnswer | ((req: ApiRequest) => FakeAnswer)>>

export interface FakeApi extends FakeServer {
  /** The requests other than discovery, in order. */
  readonly calls: () => Array<string>
  /** The request bodies sent, by "METHOD path". */
  readonly bodies: Map<string, unknown>
  readonly accepts: Map<string, string | undefined>
}

export const fakeApi = (routes: Routes, discovery: Readonly<Record<string, unknown>> = DISCOVERY): FakeApi => {
  const bodies = new Map<string, unknown>()
  const accepts = new Map<string, string | undefined>()
  const server = fakeServer((req) => {
    const key = `${req.method ?? "GET"} ${req.path}`
    if (req.body !== undefined) bodies.set(key, typeof req.body === "string" ? JSON.parse(req.body) : req.body)
    accepts.set(key, req.accept)
    if ((req.method ?? "GET") === "GET" && req.path in discovery) return { body: discovery[req.path] }
    const route = routes[key]
    if (route === undefined) return notFound(`${req.path} not found`)
    return typeof route === "function" ? route(req) : route
  })
  const isDiscovery = (r: string) => Object.keys(discovery).some((p) => r === `GET ${p}`)
  return { ...server, bodies, accepts, calls: () => server.requests.filter((r) => !isDiscovery(r)) }
}
