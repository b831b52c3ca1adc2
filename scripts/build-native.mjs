// Builds NN Lab's optional native CPU kernels (native/) with node-gyp. Run by `npm install`
// (package.json "install") and runnable by hand: `node scripts/build-native.mjs`.
//
// It never fails the install: without a C++ toolchain the engine uses its portable
// TypeScript kernels, and this script says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const built = join(nativeDir, 'build', 'Release', 'nnlab_kernels.node');

function warn(message) {
  console.warn(
    `\nnnlab: the native CPU kernels were not built (${message}).\n` +
      'nnlab: the portable TypeScript kernels will be used instead; everything works, more slowly.\n' +
      'nnlab: to build them, install a C++ toolchain (g++/clang, make, python3) and run\n' +
      'nnlab:   node scripts/build-native.mjs\n',
  );
}

/** The command (argv) that runs node-gyp: npm's own, else one resolvable here, else npx. */
function nodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) {
    // .../npm/bin/npm-cli.js → .../npm/node_modules/node-gyp/bin/node-gyp.js
    candidates.push(
      join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    );
  }
  const prefix = resolve(dirname(process.execPath), '..');
  candidates.push(
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  candidates.push(
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate)) return [process.execPath, candidate];
  }
  return [process.platform === 'win32' ? 'npx.cmd' : 'npx', '--yes', 'node-gyp'];
}

/**
 * node-gyp needs Node's headers. npm passes `nodedir` through npm_config_nodedir when it is
 * configured; otherwise use the headers installed next to this node binary when present, so
 * that nothing has to be downloaded.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return [`--nodedir=${prefix}`];
  return [];
}

function main() {
  if (process.env.NNLAB_SKIP_NATIVE_BUILD === '1') {
    console.log('nnlab: NNLAB_SKIP_NATIVE_BUILD=1, not building the native CPU kernels');
    return;
  }
  const [command, ...prefixArgs] = nodeGyp();
  const args = [...prefixArgs, 'rebuild', '--release', ...nodedirArgs()];
  console.log(`nnlab: building the native CPU kernels (node-gyp ${args.slice(prefixArgs.length).join(' ')})`);
  const result = spawnSync(command, args, {
    cwd: nativeDir,
    stdio: 'inherit',
    env: process.env,
    shell: process.platform === 'win32',
  });
  if (result.error) return warn(`could not run node-gyp: ${result.error.message}`);
  if (result.status !== 0) return warn(`node-gyp exited with status ${result.status ?? result.signal}`);
  if (!existsSync(built)) return warn('node-gyp succeeded but produced no nnlab_kernels.node');
  console.log('nnlab: native CPU kernels built');
}

try {
  main();
} catch (error) {
  warn(error instanceof Error ? error.message : String(error));
}
process.exit(0);
