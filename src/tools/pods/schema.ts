/** The Pod fields the pods_* tools read (decoding keeps only these). */
import { Effect, Schema, SchemaTransformation } from "effect"
import { namespaceOr } from "../../kube/scope.js"
import { access, type KubeApi } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { ObjectMeta } from "../../kube/meta.js"

const Str = Schema.optionalKey(Schema.String)
/** metav1.Time fields serialize a zero time as null. */
const Time = Schema.optionalKey(
  Schema.NullOr(Schema.String).pipe(
    Schema.decodeTo(Schema.UndefinedOr(Schema.String), SchemaTransformation.transform({ decode: (v) => v ?? undefined, encode: (v) => v ?? null }))
  )
)

const Waiting = Schema.Struct({ reason: Str, message: Str })
const Running = Schema.Struct({ startedAt: Time })
const Terminated = Schema.Struct({
  exitCode: Schema.optionalKey(Schema.Finite),
  signal: Schema.optionalKey(Schema.Finite),
  reason: Str,
  message: Str,
  startedAt: Time,
  finishedAt: Time
})
export const ContainerState = Schema.Struct({
  waiting: Schema.optionalKey(Waiting),
  running: Schema.optionalKey(Running),
  terminated: Schema.optionalKey(Terminated)
})
export type ContainerState = typeof ContainerState.Type

export const ContainerStatus = Schema.Struct({
  name: Schema.String,
  image: Str,
  ready: Schema.optionalKey(Schema.Boolean),
  started: Schema.optionalKey(Schema.Boolean),
  restartCount: Schema.optionalKey(Schema.Finite),
  state: Schema.optionalKey(ContainerState),
  lastState: Schema.optionalKey(ContainerState)
})
export type ContainerStatus = typeof ContainerStatus.Type

export const Container = Schema.Struct({
  name: Schema.String,
  image: Str,
  /** "Always" on an init container makes it a sidecar (restartable init container). */
  restartPolicy: Str
})
export type Container = typeof Container.Type

export const PodCondition = Schema.Struct({
  type: Schema.String,
  status: Schema.String,
  reason: Str,
  message: Str,
  lastTransitionTime: Time
})

export const OwnerReference = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
  controller: Schema.optionalKey(Schema.Boolean)
})

export const Pod = Schema.Struct({
  metadata: Schema.Struct({
    ...ObjectMeta.fields,
    uid: Str,
    deletionTimestamp: Time,
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference))
  }),
  spec: Schema.optionalKey(Schema.Struct({
    nodeName: Str,
    containers: Schema.Array(Container).pipe(Schema.withDecodingDefaultKey(Effect.succeed([]))),
    initContainers: Schema.optionalKey(Schema.Array(Container)),
    ephemeralContainers: Schema.optionalKey(Schema.Array(Container))
  })),
  status: Schema.optionalKey(Schema.Struct({
    phase: Str,
    reason: Str,
    message: Str,
    podIP: Str,
    podIPs: Schema.optionalKey(Schema.Array(Schema.Struct({ ip: Schema.String }))),
    hostIP: Str,
    qosClass: Str,
    startTime: Time,
    nominatedNodeName: Str,
    conditions: Schema.optionalKey(Schema.Array(PodCondition)),
    containerStatuses: Schema.optionalKey(Schema.Array(ContainerStatus)),
    initContainerStatuses: Schema.optionalKey(Schema.Array(ContainerStatus)),
    ephemeralContainerStatuses: Schema.optionalKey(Schema.Array(ContainerStatus))
  }))
})
export type Pod = typeof Pod.Type

/** The annotation kubectl honours to pick a pod's container when none is named. */
export const DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"

export const podPath = (namespace: string, name?: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`

/** GET one pod (RBAC pre-check included), decoded to the fields the pods tools read. */
export const getPod = (cluster: KubeApi, namespace: string, name: string) =>
  callJson(access({ verb: "get", resource: "pods", namespace, name }), { path: podPath(namespace, name) }, Pod)

/** The namespace rule of TOOLS.md: omitted (or empty) → the context's namespace. */
export const namespaceOf = namespaceOr

/** Names of the regular containers, in spec order. */
export const containerNames = (pod: Pod): Array<string> => (pod.spec?.containers ?? []).map((c) => c.name)

/** Every container a pod declares (init, regular, ephemeral), for messages and validation. */
export const allContainerNames = (pod: Pod): Array<string> => [
  ...(pod.spec?.initContainers ?? []).map((c) => c.name),
  ...containerNames(pod),
  ...(pod.spec?.ephemeralContainers ?? []).map((c) => c.name)
]
