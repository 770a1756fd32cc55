/**
 * Prometheus text exposition (format 0.0.4), parsed for assertions: `# HELP`/`# TYPE` lines, samples with
 * quoted labels (\\, \" and \n escapes), values including +Inf/-Inf/NaN and an optional timestamp.
 * (No npm parser is kept up: parse-prometheus-text-format ships untyped 2019 builds.)
 */
export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Exposition {
  readonly samples: ReadonlyArray<Sample>
  /** metric family → its TYPE. */
  readonly types: ReadonlyMap<string, string>
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/u
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/u

const numberOf = (s: string): number =>
  s === "+Inf" ? Number.POSITIVE_INFINITY : s === "-Inf" ? Number.NEGATIVE_INFINITY : s === "NaN" ? Number.NaN : Number(s)

const parseLabels = (line: string, at: number): { labels: Record<string, string>; end: number } => {
  const labels: Record<string, string> = {}
  let i = at + 1
  for (;;) {
    while (line[i] === " " || line[i] === ",") i++
    if (line[i] === "}") return { labels, end: i + 1 }
    const name = LABEL_NAME.exec(line.slice(i))?.[0]
    if (name === undefined) throw new Error(`bad label name at ${i}: ${line}`)
    i += name.length
    if (line[i] !== "=" || line[i + 1] !== "\"") throw new Error(`expected ="…" at ${i}: ${line}`)
    i += 2
    let value = ""
    for (; i < line.length && line[i] !== "\""; i++) {
      if (line[i] === "\\") {
        i++
        value += line[i] === "n" ? "\n" : line[i]
      } else value += line[i]
    }
    if (line[i] !== "\"") throw new Error(`unterminated label value: ${line}`)
    labels[name] = value
    i++
  }
}

export const parseExposition = (text: string): Exposition => {
  const samples: Array<Sample> = []
  const types = new Map<string, string>()
  for (const raw of text.split("\n")) {
    const line = raw.trim()
    if (line === "") continue
    if (line.startsWith("#")) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)$/u.exec(line)
      if (m?.[1] !== undefined && m[2] !== undefined) types.set(m[1], m[2])
      continue
    }
    const name = NAME.exec(line)?.[0]
    if (name === undefined) throw new Error(`bad sample line: ${line}`)
    const { end, labels } = line[name.length] === "{" ? parseLabels(line, name.length) : { labels: {}, end: name.length }
    const [value, timestamp, extra] = line.slice(end).trim().split(/\s+/u)
    if (value === undefined || extra !== undefined || (timestamp !== undefined && !/^-?\d+$/u.test(timestamp))) {
      throw new Error(`bad sample value: ${line}`)
    }
    samples.push({ name, labels, value: numberOf(value) })
  }
  return { samples, types }
}

/** The samples of one metric whose labels include `match`. */
export const samplesOf = (e: Exposition, name: string, match: Readonly<Record<string, string>> = {}): ReadonlyArray<Sample> =>
  e.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))

/** The sum of those samples' values (0 when there are none). */
export const total = (e: Exposition, name: string, match: Readonly<Record<string, string>> = {}): number =>
  samplesOf(e, name, match).reduce((sum, s) => sum + s.value, 0)
