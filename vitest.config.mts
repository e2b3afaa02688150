import { defineConfig } from 'vitest/config';

// Two tiers: `unit` runs in process (use cases on in-memory stores, handlers called directly,
// parsers and rules) with nothing started; `api` runs the contract over HTTP against Azurite,
// the Graph simulator and the local host, which its global setup starts. `npm run test:unit`
// runs the first alone; `npm test` runs both.
export default defineConfig({
  test: {
    // The JSON report feeds .ci/run's closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/results.json' }]],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: {
          name: 'api',
          include: ['test/api/**/*.test.ts'],
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
