// The renderer's Vite options, shared by `electron-vite` (desktop app) and the plain
// `vite build` that `npm run build:renderer` runs for `nnlab serve`.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type UserConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export const rendererOptions: UserConfig = {
  root,
  // Relative asset URLs: the same build loads from file:// in Electron and from http:// in nnlab serve.
  base: './',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    minify: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: fileURLToPath(new URL('./index.html', import.meta.url)),
      onwarn(warning, warn) {
        // zod's sources carry /* @__PURE__ */ comments Rollup cannot place; harmless.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
};

export default defineConfig(rendererOptions);
