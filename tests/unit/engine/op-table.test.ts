import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { opCases } from '../../support/op-cases.js';
import { checkForward, checkGradient, checkSpecialValues, variantLabel } from '../../support/op-runner.js';
import { size } from '../../support/reference.js';

const cpu = nn.createCpuBackend();

describe('op table on the CPU backend', () => {
  for (const c of opCases) {
    describe(c.name, () => {
      for (const v of c.variants) {
        it(`forward ${variantLabel(c, v)}`, async () => {
          expect(await checkForward(c, v, cpu)).toBeNull();
        });
      }
      if (c.special) {
        it('propagates NaN and ±Inf like the reference', async () => {
          expect(await checkSpecialValues(c, cpu)).toBeNull();
        });
      }
      if (c.differentiable !== false) {
        // Central differences cost two forward passes per input element: keep to small inputs.
        for (const v of c.variants.filter((v) => v.shapes.reduce((n, s) => n + size(s), 0) <= 1100)) {
          it(`gradient ${variantLabel(c, v)}`, () => {
            expect(checkGradient(c, v)).toBeNull();
          });
        }
      }
    });
  }
});
