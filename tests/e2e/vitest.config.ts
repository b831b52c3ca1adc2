// End-to-end tests: Debian's Chromium (driven by playwright-core) against `nnlab serve` on a fresh
// data folder, and the Electron shell when an Electron binary is present. Run with
// `npm run test:e2e`; screenshots land in test-results/e2e/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    globalSetup: ['tests/e2e/support/build-renderer.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One browser and one server at a time: the machine running CI may have two cores.
    fileParallelism: false,
  },
});
