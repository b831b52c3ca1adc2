/**
 * One training step of a recurrent classifier — LSTM, GRU or SimpleRNN with 64 units over
 * 28 time steps of 28 features (Fashion-MNIST's rows as a sequence), its last output into a
 * dense 10, Adam, batch 64 — for NN Lab on the CPU beside PyTorch's CPU build at 1 and 2
 * threads (tests/bench/peers/torch_rnn_step.py), timed as cnn-step.ts times the CNN.
 */
import * as nn from '../../core/engine/index.js';
import { fitStepMs, torchPeer, type ModelSpec } from './cnn-step.js';
import type { BenchRow } from './report.js';

export const RNN_GROUP = 'Recurrent training step: 64 units over 28×28 sequences, dense 10, Adam, batch 64';
const KINDS = ['lstm', 'gru', 'simpleRNN'] as const;

export async function benchRnnStep(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of KINDS) {
    const spec: ModelSpec = {
      inputShape: [28, 28],
      layers: [
        { type: kind, units: 64 },
        { type: 'dense', units: 10 },
      ],
    };
    rows.push({
      group: RNN_GROUP,
      name: kind,
      impl: 'nnlab cpu',
      value: await fitStepMs(nn.createCpuBackend(), spec, 10, 3),
      unit: 'ms',
      note: '(fit() of 30 steps − fit() of 10) / 20, median of 3',
    });
  }
  const torch = torchPeer('torch_rnn_step.py', { batch: 64, threads: [1, 2], steps: 40 });
  if (typeof torch === 'string') {
    rows.push({ group: RNN_GROUP, name: 'lstm', impl: 'torch', value: NaN, unit: 'ms', note: torch });
    return rows;
  }
  for (const r of torch.results) {
    rows.push({
      group: RNN_GROUP,
      name: r.model ?? '?',
      impl: `torch ${r.threads}T`,
      value: r.stepMs,
      unit: 'ms',
      note: `PyTorch ${torch.version}, median of 40 steps on one batch`,
    });
  }
  return rows;
}
