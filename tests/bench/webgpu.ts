/**
 * The WebGPU backend's benchmark (issue 4) on the adapter Dawn finds:
 * - float32 matmul throughput (GFLOP/s): square products 512³ … 4096³, the transposed-operand
 *   products at 1024³ (views with swapped strides, never copied) and the three products of a
 *   dense layer 784→128 at batch 64;
 * - the Fashion-MNIST MLP's training step and epoch on the GPU and the CPU (webgpu-mlp.ts).
 *
 *   npx tsx tests/bench/webgpu.ts     or     npm run bench -- webgpu
 *   NNLAB_BENCH_WEBGPU=matmul|mlp runs one half only.
 *
 * Each repetition records the product and then awaits a read of one element of the output,
 * which submits the batch and waits for the GPU. A size is timed for about `minMs` after one
 * warm-up; a size whose single run is predicted to take longer than `capMs` (4096³ on a
 * software adapter such as lavapipe) is skipped with a note rather than left to run for minutes.
 */
import { pathToFileURL } from 'node:url';
import type { View } from '../../core/engine/backends/backend.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../core/engine/backends/webgpu/index.js';
import { createCpuBackend } from '../../core/engine/index.js';
import { benchMlpOn, loadMlpData, MLP_GROUP } from './webgpu-mlp.js';
import { printJson, printTable, type BenchRow } from './report.js';

const GROUP = 'matmul float32 (GFLOP/s)';

interface Case {
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

const square = (n: number, transA = false, transB = false, suffix = ''): Case => ({
  name: `${n}³${suffix}`,
  m: n,
  n,
  k: n,
  transA,
  transB,
});

const CASES: Case[] = [
  square(512),
  square(1024),
  square(1024, true, false, ' Aᵀ·B'),
  square(1024, false, true, ' A·Bᵀ'),
  square(2048),
  square(4096),
  { name: 'x·W 64×784·784×128', m: 64, n: 128, k: 784, transA: false, transB: false },
  { name: 'xᵀ·dy 784×64·64×128', m: 784, n: 128, k: 64, transA: true, transB: false },
  { name: 'dy·Wᵀ 64×128·128×784', m: 64, n: 784, k: 128, transA: false, transB: true },
];

function operand(be: WebGPUBackend, rows: number, cols: number, transposed: boolean): View {
  const data = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const storage = be.upload(data, 'float32');
  // A transposed operand is stored cols×rows and viewed rows×cols with swapped strides.
  const strides = transposed ? [1, rows] : [cols, 1];
  return { storage, layout: { shape: [rows, cols], strides, offset: 0 } };
}

async function timeOnce(be: WebGPUBackend, a: View, b: View): Promise<number> {
  const t0 = performance.now();
  const out = be.matmul(a, b);
  await be.read({ storage: out, layout: { shape: [1], strides: [1], offset: 0 } });
  const ms = performance.now() - t0;
  be.release(out);
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchWebGPU(): Promise<BenchRow[]> {
  const part = process.env.NNLAB_BENCH_WEBGPU;
  const rows: BenchRow[] = [];
  if (part !== 'mlp') rows.push(...(await benchWebGPUMatmul()));
  if (part !== 'matmul') rows.push(...(await benchMlp()));
  return rows;
}

/** The MLP step and epoch on the GPU, then on the CPU, with the same data and settings. */
async function benchMlp(): Promise<BenchRow[]> {
  const data = loadMlpData();
  if (typeof data === 'string') {
    return [{ group: MLP_GROUP, name: 'step, batch 64', impl: 'webgpu', value: NaN, unit: 'ms', note: data }];
  }
  const rows: BenchRow[] = [];
  let gpu: WebGPUBackend | null = null;
  try {
    gpu = await createWebGPUBackend();
  } catch (error) {
    rows.push({
      group: MLP_GROUP,
      name: 'step, batch 64',
      impl: 'webgpu',
      value: NaN,
      unit: 'ms',
      note: (error as Error).message,
    });
  }
  if (gpu) {
    try {
      rows.push(...(await benchMlpOn(gpu, implName(gpu), data)));
    } finally {
      gpu.destroy();
    }
  }
  const cpu = createCpuBackend();
  rows.push(...(await benchMlpOn(cpu, `cpu (${cpu.adapterInfo().description ?? 'cpu'})`, data)));
  return rows;
}

function implName(be: WebGPUBackend): string {
  const info = be.adapterInfo();
  return `webgpu ${info.device ?? info.description ?? info.backend}`.slice(0, 40);
}

export async function benchWebGPUMatmul(
  options: { minMs?: number; capMs?: number } = {},
): Promise<BenchRow[]> {
  const minMs = options.minMs ?? 1500;
  const capMs = options.capMs ?? 20_000;
  let be: WebGPUBackend;
  try {
    be = await createWebGPUBackend();
  } catch (error) {
    return [
      {
        group: GROUP,
        name: '512³',
        impl: 'webgpu',
        value: NaN,
        unit: 'GFLOP/s',
        note: (error as Error).message,
      },
    ];
  }
  const impl = implName(be);
  const rows: BenchRow[] = [];
  /** Milliseconds per FLOP of the last square size, to predict the next one. */
  let msPerFlop = 0;
  try {
    for (const c of CASES) {
      const flops = 2 * c.m * c.n * c.k;
      if (msPerFlop > 0 && msPerFlop * flops > capMs) {
        rows.push({
          group: GROUP,
          name: c.name,
          impl,
          value: NaN,
          unit: 'GFLOP/s',
          note: `skipped: one run predicted at ${((msPerFlop * flops) / 1000).toFixed(0)} s on this adapter (cap ${capMs / 1000} s)`,
        });
        continue;
      }
      const a = operand(be, c.m, c.k, c.transA);
      const b = operand(be, c.k, c.n, c.transB);
      const first = await timeOnce(be, a, b); // warm-up: pipeline compile and buffer allocation
      const times: number[] = [];
      const start = performance.now();
      const budget = Math.max(minMs, first);
      while (times.length < 3 || performance.now() - start < budget) {
        times.push(await timeOnce(be, a, b));
        if (times.length >= 3 && performance.now() - start > capMs) break;
      }
      const ms = median(times);
      if (c.m === c.n && c.n === c.k) msPerFlop = ms / flops;
      rows.push({ group: GROUP, name: c.name, impl, value: flops / (ms * 1e6), unit: 'GFLOP/s' });
      be.release(a.storage);
      be.release(b.storage);
    }
  } finally {
    be.destroy();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchWebGPU();
  printTable(rows);
  printJson(rows);
}
