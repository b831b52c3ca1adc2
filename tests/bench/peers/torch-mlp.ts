/**
 * Runs the PyTorch peer (torch_mlp_epoch.py) once per process and shares its numbers between
 * the training and MLP-step benchmarks. Debian's python3-torch calls the system BLAS
 * (libblas.so.3): the reference BLAS unless OpenBLAS is installed, which the peer reports.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TorchMlpResult {
  threads: number;
  batch: number;
  steps: number;
  epochSeconds: number;
  meanLoss: number;
  /** Median ms of one training step, by batch size. */
  stepMs: Record<string, number>;
}

export interface TorchMlpRun {
  version: string;
  blas: string;
  results: TorchMlpResult[];
}

let cached: Promise<TorchMlpRun | string> | null = null;

/** The peer's results, or why there are none (no python3 with torch, or the peer failed). */
export function torchMlp(folder: string): Promise<TorchMlpRun | string> {
  cached ??= Promise.resolve().then(() => run(folder));
  return cached;
}

function run(folder: string): TorchMlpRun | string {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_mlp_epoch.py');
  const pythons = [process.env.NNLAB_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const python = pythons.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!python) return 'PyTorch peer absent (`import torch` fails; Debian: apt-get install python3-torch)';
  const options = { folder, batch: 64, threads: [1, 2], stepBatches: [64, 256] };
  const out = spawnSync(python, [script, JSON.stringify(options)], { encoding: 'utf8', timeout: 600_000 });
  if (out.status !== 0) return `PyTorch peer failed: ${out.stderr.trim().split('\n').pop() ?? out.status}`;
  return JSON.parse(out.stdout) as TorchMlpRun;
}
