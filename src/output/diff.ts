/**
 * Objects as text to compare: YAML with sorted keys (so two versions line up), and the unified diff of two
 * such texts (resources_diff), aligned by jsdiff (Myers' O(ND) algorithm: a few changes in a 2,000-line
 * object take about a millisecond).
 */
import { type StructuredPatchHunk, structuredPatch } from "diff"
import { dump } from "js-yaml"

export const toYaml = (value: unknown): string => dump(value, { lineWidth: -1, noRefs: true, skipInvalid: true, sortKeys: true })

/**
 * Past this many changed lines jsdiff stops aligning (about 30 ms on 2,000-line texts, where a full alignment
 * of every other line changed takes 300 ms) and the diff shows the whole text replaced: a diff that large is
 * cut by the output budget anyway.
 */
const MAX_EDIT_LENGTH = 500

const linesOf = (text: string): Array<string> => (text === "" ? [] : text.replace(/\n$/, "").split("\n"))

/** One hunk replacing all of `before` with all of `after`. */
const replacement = (before: Array<string>, after: Array<string>): StructuredPatchHunk => ({
  oldStart: 1,
  oldLines: before.length,
  newStart: 1,
  newLines: after.length,
  lines: [...before.map((l) => `-${l}`), ...after.map((l) => `+${l}`)]
})

/** diff -u's hunk header: an empty side is numbered from the line before it. */
const header = (h: StructuredPatchHunk): string =>
  `@@ -${h.oldLines === 0 ? h.oldStart - 1 : h.oldStart},${h.oldLines} +${h.newLines === 0 ? h.newStart - 1 : h.newStart},${h.newLines} @@`

/** A unified diff (`context` lines of context) of two texts; "" when they are equal. */
export const unifiedDiff = (before: string, after: string, fromLabel: string, toLabel: string, context = 3): string => {
  const [a, b] = [linesOf(before), linesOf(after)]
  if (a.length === b.length && a.every((line, i) => line === b[i])) return ""
  // both sides end with a newline, so a last line without one does not count as changed
  const text = (lines: Array<string>) => lines.map((l) => `${l}\n`).join("")
  const hunks = structuredPatch(fromLabel, toLabel, text(a), text(b), undefined, undefined, { context, maxEditLength: MAX_EDIT_LENGTH })?.hunks ??
    [replacement(a, b)]
  return [`--- ${fromLabel}`, `+++ ${toLabel}`, ...hunks.flatMap((h) => [header(h), ...h.lines])].join("\n")
}
