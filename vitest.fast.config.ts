import { defineConfig } from "vitest/config"

/**
 * The fast part of the suite, with no control plane (no global setup): the unit tests, the CLI and the
 * bundle over stdio. `npm run test:fast`; .ci/run also runs it on the Node floor (22.19).
 */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/ship/cli.test.ts", "test/ship/bundle.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 180_000
  }
})
