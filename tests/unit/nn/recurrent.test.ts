/**
 * Recurrent options beyond the shared layer test: goBackwards reads the sequence in reverse,
 * callWithState returns the final state (Keras's returnState) and can start from a given one.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { GRU, LSTM, SimpleRNN, type RecurrentOptions } from '../../../core/engine/nn/index.js';

const BATCH = 3;
const TIME = 5;
const FEATURES = 2;

function sequences(seed: number): Float32Array {
  const rng = new nn.Random(seed);
  return Float32Array.from({ length: BATCH * TIME * FEATURES }, () => rng.uniform(-1, 1));
}

/** The same sequences with the time axis reversed. */
function reversed(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let b = 0; b < BATCH; b++)
    for (let t = 0; t < TIME; t++)
      for (let f = 0; f < FEATURES; f++)
        out[(b * TIME + t) * FEATURES + f] = values[(b * TIME + (TIME - 1 - t)) * FEATURES + f]!;
  return out;
}

const kinds = {
  simpleRNN: (o: RecurrentOptions) => new SimpleRNN(o),
  lstm: (o: RecurrentOptions) => new LSTM(o),
  gru: (o: RecurrentOptions) => new GRU(o),
};

/** A layer built with weights drawn from a fixed seed, so two layers get the same weights. */
function layer(kind: keyof typeof kinds, options: Omit<RecurrentOptions, 'units'> = {}) {
  const l = kinds[kind]({ units: 4, ...options });
  l.initRandom = new nn.Random(11);
  l.build([TIME, FEATURES]);
  return l;
}

describe('recurrent layers: goBackwards and callWithState', () => {
  for (const kind of Object.keys(kinds) as (keyof typeof kinds)[]) {
    it(`${kind}: goBackwards equals the forward layer on the reversed sequence`, () => {
      const values = sequences(1);
      const backwards = layer(kind, { goBackwards: true, returnSequences: true });
      const forwards = layer(kind, { returnSequences: true });
      const x = nn.tensor(values, [BATCH, TIME, FEATURES]);
      const xr = nn.tensor(reversed(values), [BATCH, TIME, FEATURES]);
      const a = backwards.call(x);
      const b = forwards.call(xr);
      expect(a.shape).toEqual([BATCH, TIME, 4]);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      // Reading backwards is not the same as reading forwards.
      const c = forwards.call(x);
      expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
      expect(backwards.getConfig()).toMatchObject({ goBackwards: true });
      nn.dispose([x, xr, a, b, c]);
      backwards.dispose();
      forwards.dispose();
    });

    it(`${kind}: callWithState returns the final state and resumes from it`, () => {
      const values = sequences(2);
      const l = layer(kind);
      const whole = nn.tensor(values, [BATCH, TIME, FEATURES]);
      const full = l.callWithState(whole);
      expect(full.state).toHaveLength(kind === 'lstm' ? 2 : 1);
      for (const s of full.state) expect(s.shape).toEqual([BATCH, 4]);
      expect(Array.from(full.state[0]!.dataSync())).toEqual(Array.from(full.output.dataSync()));
      // Two steps, then the remaining three from the state the first call ended in.
      const head = nn.slice(whole, [0, 0, 0], [BATCH, 2, FEATURES]);
      const tail = nn.slice(whole, [0, 2, 0], [BATCH, TIME - 2, FEATURES]);
      const first = l.callWithState(head);
      const second = l.callWithState(tail, { initialState: first.state });
      const got = second.output.dataSync();
      const want = full.output.dataSync();
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 6);
      expect(() => l.callWithState(whole, { initialState: [nn.zeros([BATCH, 5])] })).toThrow(
        new RegExp(`initialState must be ${kind === 'lstm' ? 2 : 1} tensor\\(s\\) of shape \\[3,4\\]`),
      );
      nn.dispose([whole, head, tail, full.output, ...full.state, first.output, ...first.state]);
      nn.dispose([second.output, ...second.state]);
      l.dispose();
    });
  }
});
