/**
 * A process that trains on the GPU ends by itself: a child opens the WebGPU backend, runs
 * fit() for a few steps, frees its tensors and destroys the backend (the device reports itself
 * lost as 'destroyed') without calling process.exit. If Dawn or the engine left anything
 * holding the event loop (a timer, a pending map, a poller), the child would hang and be
 * killed at the timeout.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openBackend } from './support.js';

const gpu = await openBackend('clean-exit.test.ts');
// This file only needs to know an adapter exists; the child opens its own.
afterAll(() => gpu?.destroy());

const HANG_LIMIT_MS = 45_000;

describe.skipIf(!gpu)('clean exit', () => {
  it('a child that trains on the GPU and destroys the backend exits on its own with code 0', async () => {
    const script = fileURLToPath(new URL('./fixtures/train-and-exit.ts', import.meta.url));
    const run = await new Promise<{ code: number | null; signal: string | null; out: string; err: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], {
          timeout: HANG_LIMIT_MS,
          killSignal: 'SIGKILL',
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal, out, err }));
      },
    );
    const exitedAt = Date.now();
    expect(run.signal, `the child hung and was killed after ${HANG_LIMIT_MS} ms\n${run.err}`).toBeNull();
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/trained 12 steps, final loss \d/);
    expect(run.out).toContain('live storages after dispose: 0');
    expect(run.out).toContain('device lost: destroyed');
    const destroyedAt = Number(/destroyed at (\d+)/.exec(run.out)?.[1]);
    expect(destroyedAt).toBeGreaterThan(0);
    console.log(`[clean-exit] the child ended ${exitedAt - destroyedAt} ms after destroy()`);
  });
});
