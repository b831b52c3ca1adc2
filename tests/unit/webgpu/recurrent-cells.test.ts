/**
 * The WebGPU backend's fused LSTM and GRU cells beyond their op-table rows (forward and
 * gradients against the CPU, in op-table.test.ts): the recurrent layers really take them, a
 * training step then needs far fewer dispatches than with the composed cells, and the gradients
 * of a whole layer agree with the composed path.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import { mismatch, openBackend, rng } from './support.js';

const gpu = await openBackend('recurrent-cells.test.ts');
afterAll(() => gpu?.destroy());

type Cell = 'lstm' | 'gru';
const hidden: Record<Cell, string[]> = {
  lstm: ['lstmCell', 'lstmCellGrad'],
  gru: ['gruCell', 'gruCellGrad'],
};

/** Gradients of one layer's weights over a [4, 6, 3] sequence batch, and the dispatches used. */
async function layerGrads(
  cell: Cell,
  composed: boolean,
): Promise<{ grads: Float32Array[]; dispatches: number }> {
  const backend = gpu!;
  const slots = backend as unknown as Record<string, unknown>;
  if (composed) for (const name of hidden[cell]) slots[name] = undefined;
  try {
    return await nn.withBackend(backend, async () => {
      const next = rng(3);
      const model = Sequential.fromSpec(
        { inputShape: [6, 3], layers: [{ type: cell, units: 5 }] },
        { seed: 4 },
      );
      model.build([6, 3]);
      const x = nn.tensor(
        Float32Array.from({ length: 4 * 6 * 3 }, () => next() * 2 - 1),
        [4, 6, 3],
      );
      const before = backend.memory().dispatches;
      const { grads } = nn.valueAndGrad(
        () => nn.sum(nn.square(model.apply(x, { training: true }))),
        model.trainableWeights(),
      );
      const data = await Promise.all(grads.map(async (g) => Float32Array.from(await g.data())));
      const dispatches = backend.memory().dispatches - before;
      nn.dispose([...grads, x]);
      model.dispose();
      return { grads: data, dispatches };
    });
  } finally {
    if (composed) for (const name of hidden[cell]) delete slots[name];
  }
}

describe.skipIf(!gpu)('fused recurrent cells on the WebGPU backend', () => {
  it('take float32 calls and decline others', () => {
    nn.withBackend(gpu!, () =>
      nn.tidy(() => {
        const out = gpu!.lstmCell!(nn.zeros([2, 8]).view(), nn.zeros([2, 2]).view());
        expect(out).not.toBeNull();
        for (const s of Object.values(out!)) gpu!.release(s);
        expect(gpu!.lstmCell!(nn.zeros([2, 8]).view(), nn.zeros([2, 3]).view())).toBeNull();
        expect(
          gpu!.gruCell!(nn.zeros([2, 6]).view(), nn.zeros([2, 6]).view(), nn.zeros([2, 1]).view()),
        ).toBeNull();
      }),
    );
  });

  it.each(['lstm', 'gru'] as const)(
    '%s: a layer step needs fewer dispatches, with the same gradients',
    async (cell) => {
      const fused = await layerGrads(cell, false);
      const composed = await layerGrads(cell, true);
      expect(fused.grads.length).toBe(composed.grads.length);
      fused.grads.forEach((g, i) =>
        expect(mismatch(g, composed.grads[i]!, 1e-4, 1e-2), `${cell} weight ${i}`).toBeNull(),
      );
      // Six time steps: one dispatch per step each way instead of about ten and twenty.
      expect(fused.dispatches).toBeLessThan(composed.dispatches - 6 * 10);
    },
  );
});
