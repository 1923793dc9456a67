import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'functions/**/*.test.ts', 'bin/**/*.test.ts', 'test/**/*.test.ts', 'app/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own servers on free ports; two cores run two files at a time.
    maxWorkers: 2,
    // The functions' structured logs are for CloudWatch; in test output they would bury the failures.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
