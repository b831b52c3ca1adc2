// electron-vite: builds the main process (and the trainer entry it starts), the sandboxed preload
// and the renderer. The renderer's options live in renderer/vite.config.ts so `nnlab serve`
// serves the very same build.
import { dirname, relative, resolve, sep } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { rendererOptions } from './renderer/vite.config.js';

const root = process.cwd();

/**
 * core/ finds its files relative to its own source (`new URL('../../../migrations/',
 * import.meta.url)`). Bundled into out/main, such a URL would point elsewhere: rewrite each one
 * so it names the same file relative to the bundle.
 */
function rebaseModuleUrls(outDir: string): Plugin {
  const pattern = /new URL\((['"])([^'"]+)\1,\s*import\.meta\.url\)/g;
  return {
    name: 'nnlab:rebase-module-urls',
    transform(code, id) {
      if (!id.startsWith(resolve(root, 'core') + sep) || !code.includes('import.meta.url')) return null;
      const rewritten = code.replace(pattern, (whole, quote: string, target: string) => {
        if (/^[a-z]+:/i.test(target)) return whole;
        const absolute = resolve(dirname(id), target);
        let rebased = relative(resolve(root, outDir), absolute).split(sep).join('/');
        if (target.endsWith('/')) rebased += '/';
        return `new URL(${quote}${rebased}${quote}, import.meta.url)`;
      });
      return rewritten === code ? null : { code: rewritten, map: null };
    },
  };
}

export default defineConfig({
  main: {
    plugins: [rebaseModuleUrls('out/main')],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          // The trainer runs in a plain Node process (see electron/main/runs.ts), as built JS.
          trainer: resolve('core/lab/runs/trainer-main.ts'),
        },
        // Shared chunks beside the entries, so rebased module URLs hold for them too.
        output: { chunkFileNames: '[name]-[hash].js' },
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
