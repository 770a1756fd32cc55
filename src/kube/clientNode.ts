/**
 * @kubernetes/client-node costs most of a cold start to import (its generated API barrel). It is
 * loaded on first need, and preloaded right after the transport is up, so `initialize` never waits for it.
 */
type ClientNode = typeof import("./clientNodeParts.js")

let loading: Promise<ClientNode> | undefined

export const clientNode = (): Promise<ClientNode> => (loading ??= import("./clientNodeParts.js"))
