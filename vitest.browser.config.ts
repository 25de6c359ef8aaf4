import { defineConfig } from "vitest/config";

/**
 * The browser tests (test/browser): they drive Debian's chromium through playwright-core
 * and need /usr/bin/chromium, so `npm test` leaves them out; scripts/ci-browser.sh runs
 * them with this config.
 */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
