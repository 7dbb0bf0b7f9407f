import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiTarget = process.env.VITE_API_TARGET ?? 'http://localhost:3000';

export const sharedTypesAlias = {
  '@ccc/shared-types': fileURLToPath(new URL('../../libs/shared-types/src/index.ts', import.meta.url)),
};

export default defineConfig({
  plugins: [react()],
  resolve: { alias: sharedTypesAlias },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/health': { target: apiTarget, changeOrigin: true },
      '/metrics': { target: apiTarget, changeOrigin: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
