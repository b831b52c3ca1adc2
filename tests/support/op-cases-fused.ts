/**
 * Op-table rows (op-cases.ts's shape) for the fused ops.
 * - Softmax cross-entropy: per-row loss against a float64 reference, with rows of 1, 7 and 300
 *   classes (300 takes the GPU's workgroup-per-row path), leading shapes of rank 0 to 2, a
 *   transposed logits view, and soft targets whose rows do not sum to 1 (the Σz term of the
 *   gradient).
 * - dense (matmul + bias + activation): each fusable activation, with and without bias, a
 *   transposed kernel view, and a product of several ragged 64×64 tiles.
 */
import type { OpCase } from './op-cases.js';
import * as R from './reference.js';
import type { Ref } from './reference.js';

function rowsOf(x: Ref): { rows: number; classes: number } {
  const classes = x.shape[x.shape.length - 1]!;
  return { rows: x.data.length / classes, classes };
}

function logSumExpRow(x: Ref, r: number, classes: number): number {
  let m = -Infinity;
  for (let c = 0; c < classes; c++) m = Math.max(m, x.data[r * classes + c]!);
  let total = 0;
  for (let c = 0; c < classes; c++) total += Math.exp(x.data[r * classes + c]! - m);
  return m + Math.log(total);
}

function sparseReference(x: Ref, labels: Ref): Ref {
  const { rows, classes } = rowsOf(x);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++)
    out[r] = logSumExpRow(x, r, classes) - x.data[r * classes + labels.data[r]!]!;
  return { data: out, shape: x.shape.slice(0, -1) };
}

function softReference(x: Ref, z: Ref): Ref {
  const { rows, classes } = rowsOf(x);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const lse = logSumExpRow(x, r, classes);
    for (let c = 0; c < classes; c++) out[r]! += z.data[r * classes + c]! * (lse - x.data[r * classes + c]!);
  }
  return { data: out, shape: x.shape.slice(0, -1) };
}

function transposed(x: Ref): Ref {
  const [r, c] = x.shape as [number, number];
  const data = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = x.data[i * c + j]!;
  return { data, shape: [c, r] };
}

export const crossEntropyOpCases: OpCase[] = [
  {
    name: 'sparseSoftmaxCrossEntropy',
    variants: [
      { shapes: [[5, 7], [5]] },
      {
        shapes: [
          [3, 2, 4],
          [3, 2],
        ],
      },
      { shapes: [[7], []] },
      { shapes: [[2, 300], [2]] },
      { shapes: [[0, 3], [0]] },
    ],
    kinds: ['float', { int: 3 }],
    run: (nn, [x, labels]) => nn.sparseSoftmaxCrossEntropy(x!, labels!),
    reference: ([x, labels]) => sparseReference(x!, labels!),
  },
  {
    name: 'sparseSoftmaxCrossEntropy, one class',
    variants: [{ shapes: [[4, 1], [4]] }],
    kinds: ['float', { int: 1 }],
    run: (nn, [x, labels]) => nn.sparseSoftmaxCrossEntropy(x!, labels!),
    reference: ([x, labels]) => sparseReference(x!, labels!),
  },
  {
    name: 'sparseSoftmaxCrossEntropy, labels across the classes',
    variants: [{ shapes: [[6, 7], [6]] }, { shapes: [[3, 300], [3]] }],
    kinds: ['float', { int: 7 }],
    run: (nn, [x, labels]) => nn.sparseSoftmaxCrossEntropy(x!, labels!),
    reference: ([x, labels]) => sparseReference(x!, labels!),
  },
  {
    name: 'sparseSoftmaxCrossEntropy of a transposed view',
    variants: [{ shapes: [[7, 5], [5]] }],
    kinds: ['float', { int: 7 }],
    run: (nn, [x, labels]) => nn.sparseSoftmaxCrossEntropy(nn.transpose(x!), labels!),
    reference: ([x, labels]) => sparseReference(transposed(x!), labels!),
  },
  {
    name: 'softmaxCrossEntropy (soft targets, rows not summing to 1)',
    variants: [
      {
        shapes: [
          [5, 7],
          [5, 7],
        ],
      },
      {
        shapes: [
          [2, 3, 4],
          [2, 3, 4],
        ],
      },
      { shapes: [[6], [6]] },
      {
        shapes: [
          [2, 300],
          [2, 300],
        ],
      },
    ],
    kinds: ['float', 'positive'],
    run: (nn, [x, z]) => nn.softmaxCrossEntropy(x!, z!),
    reference: ([x, z]) => softReference(x!, z!),
  },
  {
    name: 'softmaxCrossEntropy of transposed views',
    variants: [
      {
        shapes: [
          [7, 5],
          [7, 5],
        ],
      },
    ],
    kinds: ['float', 'positive'],
    run: (nn, [x, z]) => nn.softmaxCrossEntropy(nn.transpose(x!), nn.transpose(z!)),
    reference: ([x, z]) => softReference(transposed(x!), transposed(z!)),
  },
];

const denseActivation: Record<string, (v: number) => number> = {
  linear: (v) => v,
  relu: (v) => (v < 0 ? 0 : v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
};

function denseReference(x: Ref, kernel: Ref, bias: Ref | undefined, activation: string): Ref {
  const z = R.matmul(x, kernel);
  const n = kernel.shape[1]!;
  const act = denseActivation[activation]!;
  return { data: z.data.map((v, i) => act(v + (bias ? bias.data[i % n]! : 0))), shape: z.shape };
}

export const denseOpCases: OpCase[] = [
  {
    name: 'dense',
    variants: [
      { shapes: [[5, 7], [7, 3], [3]], args: { activation: 'relu' } },
      { shapes: [[4, 6], [6, 5], [5]], args: { activation: 'sigmoid' } },
      { shapes: [[3, 8], [8, 4], [4]], args: { activation: 'tanh' } },
      { shapes: [[6, 5], [5, 9], [9]], args: { activation: 'linear' } },
      {
        shapes: [
          [4, 6],
          [6, 5],
        ],
        args: { activation: 'relu' },
      },
      { shapes: [[1, 1], [1, 1], [1]], args: { activation: 'relu' } },
      { shapes: [[67, 129], [129, 65], [65]], args: { activation: 'relu' } },
      { shapes: [[64, 40], [40, 12], [12]], args: { activation: 'linear' } },
    ],
    run: (nn, [x, kernel, bias], a) => nn.dense(x!, kernel!, bias ?? null, a.activation),
    reference: ([x, kernel, bias], a) => denseReference(x!, kernel!, bias, a.activation),
  },
  {
    name: 'dense with a transposed kernel view',
    variants: [{ shapes: [[5, 6], [4, 6], [4]], args: { activation: 'relu' } }],
    run: (nn, [x, kernel, bias], a) => nn.dense(x!, nn.transpose(kernel!), bias!, a.activation),
    reference: ([x, kernel, bias], a) => {
      const [r, c] = kernel!.shape as [number, number];
      const t = R.remap(kernel!, [c, r], ([i, j]) => [j!, i!]);
      return denseReference(x!, t, bias, a.activation);
    },
  },
];

/** h | c′ of one LSTM cell step (Keras gate order i, f, g, o), in float64. */
function lstmCellReference(z: Ref, c: Ref): Ref {
  const [batch, units] = c.shape as [number, number];
  const out = new Float64Array(batch * 2 * units);
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < units; j++) {
      const at = (k: number) => z.data[b * 4 * units + k * units + j]!;
      const cNext = sigmoid(at(1)) * c.data[b * units + j]! + sigmoid(at(0)) * Math.tanh(at(2));
      out[b * 2 * units + j] = sigmoid(at(3)) * Math.tanh(cNext);
      out[b * 2 * units + units + j] = cNext;
    }
  }
  return { data: out, shape: [batch, 2 * units] };
}

export const lstmCellOpCases: OpCase[] = [
  {
    name: 'lstmCell',
    variants: [
      {
        shapes: [
          [1, 4],
          [1, 1],
        ],
      },
      {
        shapes: [
          [3, 20],
          [3, 5],
        ],
      },
      {
        shapes: [
          [7, 52],
          [7, 13],
        ],
      },
    ],
    run: (nn, [z, c]) => nn.lstmCell(z!, c!),
    reference: ([z, c]) => lstmCellReference(z!, c!),
  },
  {
    name: 'lstmCell of strided views (a transposed state, gates sliced from a wider tensor)',
    variants: [
      {
        shapes: [
          [4, 30],
          [6, 4],
        ],
      },
    ],
    run: (nn, [z, c]) => nn.lstmCell(nn.slice(z!, [0, 3], [4, 24]), nn.transpose(c!)),
    reference: ([z, c]) => {
      const gates = R.remap(z!, [4, 24], ([b, k]) => [b!, k! + 3]);
      return lstmCellReference(
        gates,
        R.remap(c!, [4, 6], ([b, j]) => [j!, b!]),
      );
    },
  },
];

/** h′ of one GRU step, reset gate after the recurrent product (Keras's default), in float64. */
function gruCellReference(x: Ref, rec: Ref, h: Ref): Ref {
  const [batch, units] = h.shape as [number, number];
  const out = new Float64Array(batch * units);
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < units; j++) {
      const xa = (k: number) => x.data[b * 3 * units + k * units + j]!;
      const ra = (k: number) => rec.data[b * 3 * units + k * units + j]!;
      const z = sigmoid(xa(0) + ra(0));
      const r = sigmoid(xa(1) + ra(1));
      const candidate = Math.tanh(xa(2) + r * ra(2));
      out[b * units + j] = z * h.data[b * units + j]! + (1 - z) * candidate;
    }
  }
  return { data: out, shape: [batch, units] };
}

export const gruCellOpCases: OpCase[] = [
  {
    name: 'gruCell',
    variants: [
      {
        shapes: [
          [1, 3],
          [1, 3],
          [1, 1],
        ],
      },
      {
        shapes: [
          [3, 15],
          [3, 15],
          [3, 5],
        ],
      },
      {
        shapes: [
          [7, 39],
          [7, 39],
          [7, 13],
        ],
      },
    ],
    run: (nn, [x, rec, h]) => nn.gruCell(x!, rec!, h!),
    reference: ([x, rec, h]) => gruCellReference(x!, rec!, h!),
  },
  {
    name: 'gruCell of strided views (a transposed state, inputs sliced from wider tensors)',
    variants: [
      {
        shapes: [
          [4, 20],
          [4, 18],
          [3, 4],
        ],
      },
    ],
    run: (nn, [x, rec, h]) =>
      nn.gruCell(nn.slice(x!, [0, 2], [4, 9]), nn.slice(rec!, [0, 9], [4, 9]), nn.transpose(h!)),
    reference: ([x, rec, h]) =>
      gruCellReference(
        R.remap(x!, [4, 9], ([b, k]) => [b!, k! + 2]),
        R.remap(rec!, [4, 9], ([b, k]) => [b!, k! + 9]),
        R.remap(h!, [4, 3], ([b, j]) => [j!, b!]),
      ),
  },
];
