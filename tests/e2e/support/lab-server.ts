// Starts `nnlab serve` on a fresh data folder, the way a person would, and returns the page URL
// with its one-time token. The server is a child process: what it prints is kept for failures.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface LabServerProcess {
  pageUrl: string;
  origin: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function startLabServer(
  options: { dataDir?: string; timeoutMs?: number } = {},
): Promise<LabServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nnlab-e2e-'));
  const ownsDataDir = options.dataDir === undefined;
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin', 'nnlab.js'), 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, NNLAB_HOME: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const pageUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`nnlab serve printed no URL within ${options.timeoutMs ?? 30_000} ms:\n${output}`)),
      options.timeoutMs ?? 30_000,
    );
    const check = () => {
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nnlab serve exited with ${code}:\n${output}`));
    });
  });

  return {
    pageUrl,
    origin: new URL(pageUrl).origin,
    dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
