/** Which container of a pod a call means, with answers that name the containers when it is unclear. */
import { Effect } from "effect"
import { InvalidInput } from "../errors.js"
import type { Pod } from "./pods.js"

/** The annotation kubectl honours to pick a pod's container when none is named. */
export const DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"

/** Names of the regular containers, in spec order. */
export const containerNames = (pod: Pod): Array<string> => (pod.spec?.containers ?? []).map((c) => c.name)

/** Every container a pod declares (init, regular, ephemeral). */
export const allContainerNames = (pod: Pod): Array<string> => [
  ...(pod.spec?.initContainers ?? []).map((c) => c.name),
  ...containerNames(pod),
  ...(pod.spec?.ephemeralContainers ?? []).map((c) => c.name)
]

const listing = (pod: Pod): string => {
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name)
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).map((c) => c.name)
  return [
    `containers: ${containerNames(pod).join(", ") || "(none)"}`,
    ...(init.length > 0 ? [`init containers: ${init.join(", ")}`] : []),
    ...(ephemeral.length > 0 ? [`ephemeral containers: ${ephemeral.join(", ")}`] : [])
  ].join("; ")
}

export interface PickedContainer {
  readonly name: string
  /** Set when the container was chosen for the caller (not named), so the answer can say so. */
  readonly defaulted?: string
}

/**
 * `requested` must exist in the pod. Without it: the only container, else the pod's
 * kubectl.kubernetes.io/default-container, else (`fallbackToFirst`, as kubectl exec does) the first
 * container, or an InvalidInput that lists the containers and how to choose (`allHint`: another way).
 */
export const pickContainer = (
  pod: Pod,
  requested: string | undefined,
  opts: { readonly fallbackToFirst: boolean; readonly allHint?: string }
): Effect.Effect<PickedContainer, InvalidInput> => {
  const podName = pod.metadata.name
  const names = containerNames(pod)
  if (requested !== undefined) {
    return allContainerNames(pod).includes(requested)
      ? Effect.succeed({ name: requested })
      : Effect.fail(
        new InvalidInput({
          message: `Pod "${podName}" has no container "${requested}" (${listing(pod)})`,
          details: "Pass one of the listed names as container.",
          issues: [{ path: "container", message: `no container "${requested}" in pod "${podName}"; ${listing(pod)}` }]
        })
      )
  }
  const first = names[0]
  if (names.length === 1 && first !== undefined) return Effect.succeed({ name: first })
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER]
  if (annotated !== undefined && names.includes(annotated)) {
    return Effect.succeed({ name: annotated, defaulted: `container "${annotated}" (the pod's ${DEFAULT_CONTAINER} annotation); ${listing(pod)}` })
  }
  if (opts.fallbackToFirst && first !== undefined) {
    return Effect.succeed({ name: first, defaulted: `container "${first}" (the first one); ${listing(pod)}` })
  }
  return Effect.fail(
    new InvalidInput({
      message: `Pod "${podName}" has ${names.length} containers; say which one (${listing(pod)})`,
      details: `Pass container (one of: ${names.join(", ")})${opts.allHint !== undefined ? `, or ${opts.allHint}` : ""}.`,
      issues: [{ path: "container", message: `required for a pod with several containers; ${listing(pod)}` }]
    })
  )
}
