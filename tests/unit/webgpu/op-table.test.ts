/**
 * The shared op-test table (tests/support/op-cases.ts) run forward on the WebGPU backend:
 * every engine op composed over this backend's kernels, against the float64 references, plus
 * the NaN/±Inf cases. Gradients are checked in float64 on the CPU backend only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { opCases } from '../../support/op-cases.js';
import { checkForward, checkSpecialValues, variantLabel } from '../../support/op-runner.js';
import { openBackend } from './support.js';

const gpu = await openBackend('op-table.test.ts');
afterAll(() => gpu?.destroy());

describe.skipIf(!gpu)('op table on the WebGPU backend', () => {
  for (const c of opCases) {
    describe(c.name, () => {
      for (const v of c.variants) {
        it(`forward ${variantLabel(c, v)}`, async () => {
          expect(await checkForward(c, v, gpu!)).toBeNull();
        });
      }
      if (c.special) {
        it('propagates NaN and ±Inf like the reference', async () => {
          expect(await checkSpecialValues(c, gpu!)).toBeNull();
        });
      }
    });
  }
});
