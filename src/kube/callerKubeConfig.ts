/**
 * The kubeconfig of the paths that do not go through the REST client (exec's WebSocket, the helm binary), for
 * the current call: the context's own, or in passthrough mode the context's cluster with the caller's token and
 * no client certificate (the API server would authenticate a certificate before the token). Impersonation is
 * not expressible in a kubeconfig client-node honours (it sends no Impersonate-Group), so it is refused here.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Effect } from "effect"
import { ApiIdentity, requireServerIdentity } from "../auth/identity.js"
import type { IdentityUnsupported } from "../errors.js"
import { clientNode } from "./clientNode.js"
import type { KubeApi } from "./Kube.js"

export const callerKubeConfig = (kube: KubeApi, what: string): Effect.Effect<KubeConfig, IdentityUnsupported> =>
  Effect.gen(function*() {
    const who = yield* ApiIdentity
    if (who._tag === "Server") return kube.kubeConfig
    if (who._tag === "Impersonate") return yield* requireServerIdentity(kube.info.name, what).pipe(Effect.as(kube.kubeConfig))
    const cluster = kube.kubeConfig.getCurrentCluster()
    if (cluster === null) return yield* requireServerIdentity(kube.info.name, what).pipe(Effect.as(kube.kubeConfig))
    const { KubeConfig } = yield* Effect.promise(() => clientNode())
    const kc = new KubeConfig()
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: "caller", token: who.token }],
      contexts: [{ name: kube.info.name, cluster: cluster.name, user: "caller", namespace: kube.info.namespace }],
      currentContext: kube.info.name
    })
    return kc
  })
