// electron-vite: builds the main process, the sandboxed preload and the renderer. The renderer's
// options live in renderer/vite.config.ts so `nnlab serve` serves the very same build.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererOptions } from './renderer/vite.config.js';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          trainer: resolve('electron/trainer/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages: bundle zod and the contract into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererOptions,
});
