/** config_*: what the server knows about contexts, straight from the provider. Local: no cluster call. */
import { Effect, Schema } from "effect"
import { kubeconfigView, listContexts } from "../kube/contexts.js"
import { document, ObjectOutput } from "../output/reply.js"
import { localTool } from "../tool/tool.js"

const ContextsOutput = Schema.Struct({
  contexts: Schema.Array(Schema.Struct({ name: Schema.String, cluster: Schema.String, user: Schema.String, namespace: Schema.String })),
  current_context: Schema.String
})

export const configContextsList = localTool({
  name: "config_contexts_list",
  description: "List the kubeconfig contexts this server can reach (name, cluster, user, namespace) and the default (current) context. " +
    "Pass a context's name as `context` to any cluster tool.",
  params: Schema.Struct({}),
  output: ContextsOutput,
  annotations: { title: "List contexts", readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: () =>
    Effect.map(listContexts, ({ contexts, current }) => document({ contexts: contexts.map((c) => ({ ...c })), current_context: current }, "json"))
})

export const configKubeconfigView = localTool({
  name: "config_kubeconfig_view",
  description: "Show the kubeconfig in use, as `kubectl config view` does, with every credential (tokens, keys, passwords, " +
    "exec/auth-provider secrets) redacted. `minified` keeps only the current context.",
  params: Schema.Struct({
    minified: Schema.optionalKey(Schema.Boolean.annotate({ description: "only the current context, its cluster and user" }))
  }),
  output: ObjectOutput,
  annotations: { title: "View kubeconfig (redacted)", readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ minified }) =>
    Effect.map(kubeconfigView(minified ?? false), (view) => document(view, "yaml"))
})
