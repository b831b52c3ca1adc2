// The README's command-line examples name files that exist and configs that validate, on the
// dataset name the README's own import gives (`nnlab datasets import sample:NAME` names it NAME).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../../core/lab/runs/config.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

describe('the README CLI examples', () => {
  it('train configs that exist, validate, and use a sample the README imports', () => {
    const imported = [...readme.matchAll(/nnlab datasets import sample:(\S+)/g)].map((m) => m[1]!);
    const configs = [...readme.matchAll(/nnlab train (\S+)/g)].map((m) => m[1]!);
    expect(configs.length).toBeGreaterThan(0);
    for (const file of configs) {
      expect(existsSync(`${root}${file}`), `${file} exists`).toBe(true);
      const config = parseRunConfig(readFileSync(`${root}${file}`, 'utf8'));
      expect(imported).toContain(config.dataset);
      // Small and fast: a README example should finish in seconds on a laptop CPU.
      expect(config.training.epochs).toBeLessThanOrEqual(50);
    }
  });
});
