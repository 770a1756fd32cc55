/**
 * metrics.k8s.io access shared by pods_top and nodes_top: one call path that tells "the cluster does not
 * serve metrics" (MetricsUnavailable) apart from "this object has no sample" (NotFound), and kubectl top's
 * unit arithmetic.
 */
import { Effect, type Schema } from "effect"
import type { ApiRequest } from "../cluster/restClient.js"
import { type KubeError, MetricsUnavailable } from "../errors.js"
import { callJson } from "./call.js"
import { type AccessCheck, Kube } from "./Kube.js"

export const METRICS_API = "/apis/metrics.k8s.io/v1beta1"

/** The answers that can mean "group not served": 404 (no APIService) or 503 (APIService without a live backend). */
const maybeUnserved = (e: KubeError): boolean =>
  e._tag === "NotFound" || e._tag === "Unavailable" || (e._tag === "ApiError" && e.code === 503)

/**
 * A metrics.k8s.io call (`path` under /apis/metrics.k8s.io/v1beta1 or absolute). On 404/503 discovery
 * of the group version decides: not served → MetricsUnavailable; served → the original error (a pod or node
 * without a sample yet is a real NotFound). The discovery probe runs only on that failure path.
 */
export const fetchMetrics = <A, I>(
  check: AccessCheck,
  request: ApiRequest,
  schema: Schema.Codec<A, I>
): Effect.Effect<A, KubeError, Kube> => {
  const path = request.path.startsWith("/") ? request.path : `${METRICS_API}/${request.path}`
  return callJson(check, { ...request, path }, schema).pipe(
    Effect.catchIf(maybeUnserved, (original) =>
      // Discovery is a non-resource URL every authenticated user may read: no RBAC pre-check needed.
      Effect.flatMap(Effect.service(Kube), (handle) => handle.json({ path: METRICS_API }).pipe(
        Effect.matchEffect({
          onSuccess: () => Effect.fail(original),
          onFailure: (probe) =>
            Effect.fail(
              maybeUnserved(probe)
                ? new MetricsUnavailable({
                  context: handle.info.name,
                  message: `metrics.k8s.io is not served by context "${handle.info.name}"`,
                  details: probe._tag === "NotFound"
                    ? "No metrics API is registered on this cluster; install metrics-server to get pod and node usage."
                    : `The metrics API is registered but does not answer (${probe.message}); check metrics-server.`
                })
                : original
            )
        })
      )))
  )
}

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60
}

/** A resource quantity ("250m", "1500000n", "256Gi", "1e9") in base units (cores, bytes); undefined if malformed. */
export const quantityValue = (q: string): number | undefined => {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(q.trim())
  if (m === null) return undefined
  const value = Number(`${m[1] ?? ""}${m[2] ?? ""}`)
  const factor = SUFFIX[m[3] ?? ""]
  return factor === undefined || !Number.isFinite(value) ? undefined : value * factor
}

/** CPU in whole millicores, rounded up as kubectl top does (1n → 1m). */
export const cpuMillicores = (q: string): number | undefined => {
  const v = quantityValue(q)
  // round to nanocores first so 0.1+0.2-style float noise cannot add a millicore
  return v === undefined ? undefined : Math.ceil(Math.round(v * 1e9) / 1e6)
}

/** Memory in whole MiB, truncated as kubectl top does. */
export const memoryMiB = (q: string): number | undefined => {
  const v = quantityValue(q)
  return v === undefined ? undefined : Math.floor(v / 2 ** 20)
}
