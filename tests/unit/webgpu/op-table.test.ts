/**
 * The shared op-test table (tests/support/op-cases.ts) run on the WebGPU backend: every engine
 * op composed over this backend's kernels, forward against the float64 references (plus the
 * NaN/±Inf cases), and for every differentiable op the float32 gradients against the same
 * gradients on the CPU backend (the CPU's own are checked against float64 central differences).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { opCases } from '../../support/op-cases.js';
import {
  checkForward,
  checkGradientAcrossBackends,
  checkSpecialValues,
  variantLabel,
} from '../../support/op-runner.js';
import { openBackend } from './support.js';

const gpu = await openBackend('op-table.test.ts');
const cpu = nn.createCpuBackend();
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
      if (c.differentiable !== false) {
        for (const v of c.variants) {
          it(`gradient ${variantLabel(c, v)} matches the CPU backend`, async () => {
            expect(await checkGradientAcrossBackends(c, v, gpu!, cpu)).toBeNull();
          });
        }
      }
    });
  }
});
