/** A free TCP port on 127.0.0.1 (tests and benchmarks). No vitest import, so bench/ can use it too. */
import { createServer } from "node:net"

export const freePort = (): Promise<number> =>
  new Promise((ok, fail) => {
    const s = createServer()
    s.once("error", fail)
    s.listen(0, "127.0.0.1", () => {
      const address = s.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      s.close(() => ok(port))
    })
  })
