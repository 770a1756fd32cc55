import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // One control plane per run (or the one `npm run cluster:up` left running), shared by every test file.
    globalSetup: ["test/cluster/global-setup.ts"],
    // Files share one control plane and some assert on API-server-wide counters: run them one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000
  }
})
