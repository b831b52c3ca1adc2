// Lint rules. Beyond the TypeScript recommendations, this file keeps the architecture's
// boundaries visible: core/engine is pure computation (no I/O, no database, no Electron), and
// nothing under core/ imports Electron.
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs',
  'fs/promises',
  'node:fs',
  'node:fs/promises',
  'path',
  'node:path',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'child_process',
  'node:child_process',
  'better-sqlite3',
  'electron',
  'ws',
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'build/', 'dist/', 'out/', 'renderer/dist/', '**/*.d.ts', 'native/build/'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['core/engine/**/*.ts'],
    ignores: ['core/engine/backends/cpu/native-loader.ts', 'core/engine/backends/webgpu/device.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({
            name,
            message: 'core/engine is pure computation: no I/O, database or Electron imports (ARCHITECTURE.md).',
          })),
          patterns: [{ group: ['**/lab/**', '**/electron/**'], message: 'core/engine must not import from core/lab or electron/.' }],
        },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Nothing under core/ imports electron (ARCHITECTURE.md).' }] },
      ],
    },
  },
);
