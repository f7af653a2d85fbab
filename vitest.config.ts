import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts', 'spec/**/*.test.ts'],
    setupFiles: ['./test/setup/fastCheck.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
