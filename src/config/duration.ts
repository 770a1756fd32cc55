/** Go-style durations as users write them in kubeconfig-adjacent tools: "30s", "1m30s", "500ms", or plain seconds. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

export const parseDurationMs = (input: string | number): number | undefined => {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input * 1000 : undefined
  const text = input.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let total = 0
  let consumed = 0
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? Number.NaN)
    consumed = re.lastIndex
  }
  return consumed === text.length && consumed > 0 && Number.isFinite(total) ? total : undefined
}

/** 1_800_000 → "30m", 5_400_000 → "1h30m", 1500 → "1.5s": the spelling the config takes. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${ms}ms`
  if (ms % 1000 !== 0) return `${ms / 1000}s`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = Math.floor((ms % 60_000) / 1000)
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`
}
