/** server.heap (src/nodeHeap.ts): which node flags the server restarts itself with. The restart itself is proved on the bundle (test/ship/bundle.test.ts). */
import { describe, expect, it } from "vitest"
import { BOUNDED_HEAP, boundedHeapFlags, type HeapInputs } from "../../src/nodeHeap.js"

const BOUNDED = [`--max-semi-space-size=${BOUNDED_HEAP.semiSpaceMiB}`, `--max-old-space-size=${BOUNDED_HEAP.oldSpaceMiB}`]
const base: HeapInputs = { mode: "auto", transports: ["http"], nodeFlags: [], heapLimitMiB: 4288 }

describe("boundedHeapFlags", () => {
  it("auto bounds the heap of an HTTP server, not of a stdio server", () => {
    expect(boundedHeapFlags(base)).toEqual(BOUNDED)
    expect(boundedHeapFlags({ ...base, transports: ["stdio", "http"] })).toEqual(BOUNDED)
    expect(boundedHeapFlags({ ...base, transports: ["stdio"] })).toEqual([])
  })

  it("bounded applies to stdio too; node never restarts", () => {
    expect(boundedHeapFlags({ ...base, mode: "bounded", transports: ["stdio"] })).toEqual(BOUNDED)
    expect(boundedHeapFlags({ ...base, mode: "node" })).toEqual([])
  })

  it("never raises Node's own limit (a container's memory limit): then only the young generation is set", () => {
    expect(boundedHeapFlags({ ...base, heapLimitMiB: 600 })).toEqual([BOUNDED[0]])
    expect(boundedHeapFlags({ ...base, heapLimitMiB: 1100 })).toEqual([BOUNDED[0]])
  })

  it("heap sizing the user gave (node flags or NODE_OPTIONS) wins: no restart", () => {
    for (const flag of ["--max-old-space-size=300", "--max-semi-space-size=32", "--max-old-space-size-percentage=50%"]) {
      expect(boundedHeapFlags({ ...base, mode: "bounded", nodeFlags: ["--import", "tsx", flag] }), flag).toEqual([])
    }
    // other flags do not count
    expect(boundedHeapFlags({ ...base, nodeFlags: ["--enable-source-maps", ""] })).toEqual(BOUNDED)
  })
})
