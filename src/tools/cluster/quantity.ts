/** Kubernetes resource quantities ("250m", "1500000n", "256Gi", "1e9") as plain numbers. */

const SUFFIX: Record<string, number> = {
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

/** The quantity's value in base units (cores, bytes); undefined when it is not a quantity. */
export const parseQuantity = (q: string): number | undefined => {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(q.trim())
  if (m === null) return undefined
  const value = Number(`${m[1] ?? ""}${m[2] ?? ""}`)
  const factor = SUFFIX[m[3] ?? ""]
  return factor === undefined || !Number.isFinite(value) ? undefined : value * factor
}
