/**
 * Float32 matmul throughput (GFLOP/s) of NN Lab's GEMM — native addon on one thread and on its
 * default thread count, and the portable TypeScript kernel — beside TensorFlow.js (cpu and
 * wasm backends) and, when Debian's python3-torch is installed, PyTorch. Square products and
 * the three products of a dense layer 784→128 at batch 64: x·W forward, xᵀ·dy and dy·Wᵀ
 * backward (the transposed operands are passed as stored, never copied).
 *
 *   npx tsx tests/bench/matmul.ts          (alone; or through `npm run bench`)
 *
 * Each value is the median of timed repetitions after warm-up. The machines are shared and
 * noisy: compare implementations within one run.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  gemmBackendName,
  getGemmThreads,
  setGemmThreads,
  sgemmNative,
  sgemmTypescript,
  type GemmFn,
} from '../../core/engine/backends/cpu/gemm.js';
import { printJson, printTable, type BenchRow } from './report.js';

const GROUP = 'matmul float32 (GFLOP/s)';

interface Case {
  name: string;
  m: number;
  n: number;
  k: number;
  /** A is stored k×m (read transposed). */
  transA: boolean;
  /** B is stored n×k (read transposed). */
  transB: boolean;
}

const CASES: Case[] = [
  { name: '128³', m: 128, n: 128, k: 128, transA: false, transB: false },
  { name: '512³', m: 512, n: 512, k: 512, transA: false, transB: false },
  { name: '1024³', m: 1024, n: 1024, k: 1024, transA: false, transB: false },
  { name: '1024³ Aᵀ·B', m: 1024, n: 1024, k: 1024, transA: true, transB: false },
  { name: '1024³ A·Bᵀ', m: 1024, n: 1024, k: 1024, transA: false, transB: true },
  { name: 'x·W 64×784·784×128', m: 64, n: 128, k: 784, transA: false, transB: false },
  { name: 'xᵀ·dy 784×64·64×128', m: 784, n: 128, k: 64, transA: true, transB: false },
  { name: 'dy·Wᵀ 64×128·128×784', m: 64, n: 784, k: 128, transA: false, transB: true },
];

const flops = (c: Case) => 2 * c.m * c.n * c.k;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Median seconds per call: warm-up, then at least `minReps` calls and until `budgetMs`
 * has passed (at most 2000 calls). A call slower than `slowMs` is timed once after one
 * warm-up call.
 */
async function timeCall(call: () => void | Promise<void>, budgetMs = 600, minReps = 7, slowMs = 1500) {
  const t0 = performance.now();
  await call();
  const first = performance.now() - t0;
  if (first > slowMs) {
    const t1 = performance.now();
    await call();
    return { seconds: (performance.now() - t1) / 1000, reps: 1 };
  }
  for (let i = 0; i < 3 && first < 50; i++) await call();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minReps || (performance.now() - start < budgetMs && samples.length < 2000)) {
    const s = performance.now();
    await call();
    samples.push(performance.now() - s);
  }
  return { seconds: median(samples) / 1000, reps: samples.length };
}

function random(length: number, seed: number): Float32Array {
  let s = seed;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

async function benchOurs(impl: string, gemm: GemmFn<Float32Array>, rows: BenchRow[]): Promise<void> {
  for (const c of CASES) {
    const a = random(c.m * c.k, 1);
    const b = random(c.k * c.n, 2);
    const out = new Float32Array(c.m * c.n);
    const lda = c.transA ? c.m : c.k;
    const ldb = c.transB ? c.k : c.n;
    const { seconds, reps } = await timeCall(() =>
      gemm(c.transA, c.transB, c.m, c.n, c.k, a, 0, lda, b, 0, ldb, out, 0, c.n, false),
    );
    rows.push({
      group: GROUP,
      name: c.name,
      impl,
      value: flops(c) / seconds / 1e9,
      unit: 'GFLOP/s',
      ...(reps === 1 ? { note: 'one timed call (slow)' } : {}),
    });
  }
}

type Tf = typeof import('@tensorflow/tfjs-core');

async function loadTf(backend: 'cpu' | 'wasm'): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  if (backend === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    // Under Node the .wasm binaries are read from the file system: a path, not a URL.
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  return tf;
}

async function benchTf(backend: 'cpu' | 'wasm', rows: BenchRow[]): Promise<void> {
  const tf = await loadTf(backend);
  for (const c of CASES) {
    const a = tf.tensor2d(random(c.m * c.k, 1), c.transA ? [c.k, c.m] : [c.m, c.k]);
    const b = tf.tensor2d(random(c.k * c.n, 2), c.transB ? [c.n, c.k] : [c.k, c.n]);
    const { seconds, reps } = await timeCall(() => {
      const out = tf.matMul(a, b, c.transA, c.transB);
      out.dataSync();
      out.dispose();
    });
    tf.dispose([a, b]);
    rows.push({
      group: GROUP,
      name: c.name,
      impl: `tfjs ${backend} 1T`, // single-threaded under Node
      value: flops(c) / seconds / 1e9,
      unit: 'GFLOP/s',
      ...(reps === 1 ? { note: 'one timed call (slow)' } : {}),
    });
  }
}

/** PyTorch through Debian's python3-torch when present; returns why not otherwise. */
function benchTorch(rows: BenchRow[]): string | undefined {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'torch_matmul.py');
  const pythons = [process.env.NNLAB_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const python = pythons.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!python) return 'PyTorch peer absent (`import torch` fails; Debian: apt-get install python3-torch)';
  const run = spawnSync(python, [script, JSON.stringify(CASES)], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) return `PyTorch peer failed: ${run.stderr.trim().split('\n').pop() ?? run.status}`;
  const parsed = JSON.parse(run.stdout) as {
    version: string;
    blas: string;
    results: { name: string; threads: number; gflops: number }[];
  };
  for (const [i, r] of parsed.results.entries()) {
    rows.push({
      group: GROUP,
      name: r.name,
      impl: `torch ${r.threads}T`,
      value: r.gflops,
      unit: 'GFLOP/s',
      // Debian's build calls the system libblas: the reference BLAS unless OpenBLAS is installed.
      ...(i === 0 ? { note: `PyTorch ${parsed.version}, BLAS_INFO=${parsed.blas}` } : {}),
    });
  }
  return undefined;
}

export async function benchMatmul(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (sgemmNative) {
    const threads = getGemmThreads();
    setGemmThreads(1);
    await benchOurs(`${gemmBackendName()} 1T`, sgemmNative, rows);
    setGemmThreads(0);
    if (threads > 1) await benchOurs(`${gemmBackendName()} ${threads}T`, sgemmNative, rows);
  } else {
    console.warn('matmul bench: native kernels not built; only the TypeScript kernel is measured');
  }
  await benchOurs('nnlab typescript', sgemmTypescript, rows);
  await benchTf('wasm', rows);
  await benchTf('cpu', rows);
  const torchAbsent = benchTorch(rows);
  if (torchAbsent) console.warn(`matmul bench: ${torchAbsent}`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchMatmul();
  printTable(rows);
  printJson(rows);
}
