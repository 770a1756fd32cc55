/** A small Dockerfile reader for the ship tests: the final stage's instructions, continuation lines joined. */
import { readFileSync } from "node:fs"

export interface Instruction {
  readonly op: string
  readonly args: string
}

export const instructions = (text: string): Array<Instruction> =>
  text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const space = l.search(/\s/)
      return { op: l.slice(0, space).toUpperCase(), args: l.slice(space + 1).trim() }
    })

/** Instructions of the last stage (from its FROM on). */
export const finalStage = (file: string): Array<Instruction> => {
  const all = instructions(readFileSync(file, "utf8"))
  const lastFrom = all.map((i) => i.op).lastIndexOf("FROM")
  return all.slice(lastFrom)
}

/** The exec (JSON) form of ENTRYPOINT/CMD/HEALTHCHECK CMD; the shell form is refused (no shell in distroless). */
export const execForm = (args: string): Array<string> => {
  const parsed: unknown = JSON.parse(args)
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) throw new Error(`not an exec-form array: ${args}`)
  return parsed
}

export const one = (stage: ReadonlyArray<Instruction>, op: string): string => {
  const found = stage.filter((i) => i.op === op)
  if (found.length !== 1 || found[0] === undefined) throw new Error(`expected one ${op} in the final stage, found ${found.length}`)
  return found[0].args
}
