/**
 * kubectl custom-columns (src/kube/columns.ts): the spec parser and the JSONPath evaluator, pure. Expected
 * cells follow kubectl's printer: several matches joined with ",", no match "<none>", headers as given.
 */
import { Effect, Exit, Result } from "effect"
import { describe, expect, it } from "vitest"
import { COLUMNS_RULE, type ColumnSpec, evaluate, parseColumns, parseColumnSpec, project } from "../../src/kube/columns.js"

const spec = (s: string): ColumnSpec => {
  const r = parseColumnSpec(s)
  if (Result.isFailure(r)) throw new Error(r.failure)
  return r.success
}
const failure = (s: string): string => {
  const r = parseColumnSpec(s)
  if (Result.isSuccess(r)) throw new Error(`expected ${JSON.stringify(s)} to be refused`)
  return r.failure
}
const row = (s: string, obj: unknown): ReadonlyArray<string> => project(spec(s), [obj]).rows[0] ?? []

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-1",
    namespace: "shop",
    labels: { app: "web", "app.kubernetes.io/name": "shop-web" },
    annotations: { "example.com/owner": "team-a" }
  },
  spec: {
    nodeName: "node-1",
    containers: [
      { name: "app", image: "nginx:1.27", ports: [{ containerPort: 80 }, { containerPort: 443 }] },
      { name: "sidecar", image: "busybox:1.36", ports: [{ containerPort: 9090 }] }
    ]
  },
  status: {
    phase: "Running",
    conditions: [{ type: "Ready", status: "True" }, { type: "PodScheduled", status: "True" }],
    containerStatuses: [{ name: "app", restartCount: 0, ready: true }, { name: "sidecar", restartCount: 3, ready: false }]
  }
}

describe("parseColumnSpec", () => {
  it("reads HEADER:JSONPATH pairs, keeping headers as given", () => {
    const s = spec("NAME:.metadata.name,images:.spec.containers[*].image")
    expect(s.columns.map((c) => c.header)).toEqual(["NAME", "images"])
    expect(s.columns.map((c) => c.source)).toEqual([".metadata.name", ".spec.containers[*].image"])
    expect(s.columns[1]?.path).toEqual([
      { _tag: "Field", name: "spec" },
      { _tag: "Field", name: "containers" },
      { _tag: "All" },
      { _tag: "Field", name: "image" }
    ])
  })

  it("accepts kubectl's relaxed forms: {.a.b}, {a.b}, a.b and $.a.b", () => {
    for (const s of ["N:{.metadata.name}", "N:{metadata.name}", "N:metadata.name", "N:$.metadata.name", "N:.metadata.name"]) {
      expect(row(s, pod), s).toEqual(["web-1"])
    }
  })

  it("keeps commas inside brackets and quotes (filters, unions) within one column", () => {
    const s = spec("PORTS:.spec.containers[0].ports[0,1].containerPort,SIDE:.spec.containers[?(@.name==\"a,b\")].image")
    expect(s.columns.map((c) => c.header)).toEqual(["PORTS", "SIDE"])
  })

  it("refuses a bad spec with the rule, quoting the bad part", () => {
    const cases: Array<[string, string]> = [
      ["NAME", "\"NAME\" is not HEADER:JSONPATH"],
      ["NAME:.metadata.name,IMAGE", "\"IMAGE\" is not HEADER:JSONPATH"],
      [":.metadata.name", "has no header"],
      ["NAME:", "is an empty JSONPath"],
      ["IMAGES:.spec.containers[*.image", "a \"[\" is not closed"],
      ["X:.spec.containers[abc]", "[abc] is not an index, slice, 'key', * or ?(filter)"],
      ["X:.spec.containers[?(name==\"a\")].image", "must start from @"],
      ["X:.spec.containers[?(@.name=~\"a\")]", "operator other than"],
      ["X:.spec..", "a field name is missing"],
      ["X:{.a}{.b}", "nested or unbalanced braces"],
      ["A:.a,A:.b", "the header \"A\" is given twice"],
      ["X:.a b", "unexpected \" \""],
      ["", "the spec is empty"]
    ]
    for (const [input, part] of cases) {
      const message = failure(input)
      expect(message, input).toContain(part)
      expect(message, input).toContain(COLUMNS_RULE)
    }
  })

  it("parseColumns fails with InvalidInput naming the columns parameter", () => {
    const exit = Effect.runSyncExit(parseColumns("NAME"))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Effect.runSync(Effect.flip(parseColumns("NAME")))
    expect(error._tag).toBe("InvalidInput")
    expect(error.message).toContain("\"NAME\" is not HEADER:JSONPATH")
    expect(error.issues).toEqual([expect.objectContaining({ path: "columns" })])
  })
})

describe("evaluate and project", () => {
  it("joins several matches with \",\" and renders a missing field as <none>", () => {
    expect(row("NAME:.metadata.name,IMAGES:.spec.containers[*].image,QOS:.status.qosClass", pod)).toEqual([
      "web-1",
      "nginx:1.27,busybox:1.36",
      "<none>"
    ])
  })

  it("reads ['quoted.keys'] and escaped dots", () => {
    expect(row("N:.metadata.labels['app.kubernetes.io/name']", pod)).toEqual(["shop-web"])
    expect(row("N:.metadata.labels.app\\.kubernetes\\.io/name", pod)).toEqual(["shop-web"])
    expect(row("N:.metadata.annotations.example\\.com/owner", pod)).toEqual(["team-a"])
  })

  it("indexes, negative indexes, slices and unions", () => {
    expect(row("A:.spec.containers[0].name,B:.spec.containers[-1].name,C:.spec.containers[0:2].name,D:.spec.containers[5].name", pod))
      .toEqual(["app", "sidecar", "app,sidecar", "<none>"])
    expect(row("P:.spec.containers[0].ports[0,1].containerPort", pod)).toEqual(["80,443"])
    expect(row("K:.metadata.labels['app','missing']", pod)).toEqual(["web"])
  })

  it("filters: ==, !=, numeric comparisons, exists", () => {
    expect(row("R:.status.conditions[?(@.type==\"Ready\")].status", pod)).toEqual(["True"])
    expect(row("R:.status.conditions[?(@.type=='Ready')].status", pod)).toEqual(["True"])
    expect(row("N:.spec.containers[?(@.name!=\"app\")].image", pod)).toEqual(["busybox:1.36"])
    expect(row("N:.status.containerStatuses[?(@.restartCount>0)].name", pod)).toEqual(["sidecar"])
    expect(row("N:.status.containerStatuses[?(@.ready==true)].name", pod)).toEqual(["app"])
    expect(row("N:.spec.containers[?(@.ports[1])].name", pod)).toEqual(["app"])
    expect(row("N:.spec.containers[?(@.name==\"nope\")].image", pod)).toEqual(["<none>"])
    expect(row("N:.items[?(@.want==@.have)].n", { items: [{ n: "a", want: 2, have: 2 }, { n: "b", want: 2, have: 1 }] })).toEqual(["a"])
    // kubectl refuses to compare a string with a number; here it does not match
    expect(row("N:.spec.containers[?(@.name==1)].image", pod)).toEqual(["<none>"])
  })

  it("recursive descent and wildcards", () => {
    expect(row("P:..containerPort", pod)).toEqual(["80,443,9090"])
    expect(row("I:..image", pod)).toEqual(["nginx:1.27,busybox:1.36"])
    expect(row("L:.metadata.labels.*", pod)).toEqual(["web,shop-web"])
    expect(row("L:.metadata.labels[*]", pod)).toEqual(["web,shop-web"])
  })

  it("a field of a list gives nothing (kubectl needs [*]), maps and lists print as JSON", () => {
    expect(row("I:.spec.containers.image", pod)).toEqual(["<none>"])
    expect(row("L:.metadata.labels", pod)).toEqual([JSON.stringify(pod.metadata.labels)])
    expect(row("C:.status.conditions[0]", pod)).toEqual([JSON.stringify({ type: "Ready", status: "True" })])
  })

  it("null and absent values are <none>; numbers and booleans print plainly", () => {
    expect(evaluate(spec("X:.a").columns[0]?.path ?? [], { a: null })).toEqual([])
    expect(row("R:.status.containerStatuses[1].restartCount,B:.status.containerStatuses[0].ready", pod)).toEqual(["3", "true"])
    expect(project(spec("N:.metadata.name"), [{}, { metadata: { name: "x" } }]).rows).toEqual([["<none>"], ["x"]])
  })
})
