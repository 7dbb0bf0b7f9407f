import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { sharedTypesAlias } from './vite.config.ts';

export default defineConfig({
  plugins: [react()],
  resolve: { alias: sharedTypesAlias },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // The machines run several suites side by side; a slow render is not a failure (no test asserts a duration).
    testTimeout: 20_000,
  },
});
