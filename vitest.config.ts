import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup-oclif.ts'],
    disableConsoleIntercept: true,
    testTimeout: 30_000,
  },
})
