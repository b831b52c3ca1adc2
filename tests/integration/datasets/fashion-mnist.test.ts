import { describe, expect, it } from 'vitest';
import {
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  hasFashionMnist,
  importDataset,
  loadDataset,
} from '../../../core/lab/datasets/index.js';
import { createTempLab } from '../../unit/datasets/fixtures.js';

const present = hasFashionMnist();
if (!present) {
  console.warn(
    `Fashion-MNIST not found in ${DEBIAN_FASHION_MNIST_DIR}: install Debian's dataset-fashion-mnist to run this test`,
  );
}

describe('Fashion-MNIST from the Debian package', () => {
  it.skipIf(!present)(
    'imports 60,000 + 10,000 images in seconds, uint8, with the test files as the test split',
    async () => {
      const lab = createTempLab('nnlab-fmnist-');
      try {
        const started = performance.now();
        const schema = await importDataset(lab.store, lab.dataDir, { kind: 'fashion-mnist' });
        const seconds = (performance.now() - started) / 1000;
        expect(seconds).toBeLessThan(20);
        expect(schema).toMatchObject({
          name: 'Fashion-MNIST',
          sourceKind: 'idx',
          rows: 70000,
          featureShape: [28, 28, 1],
          featureDtype: 'uint8',
          task: 'classification',
          target: { classNames: FASHION_MNIST_CLASSES },
          classCounts: Array(10).fill(7000),
          splits: { train: 54000, validation: 6000, test: 10000, testFromSource: true },
        });
        expect(schema.blocks.x.bytes).toBe(70000 * 784);
        const { x, y, splits } = await loadDataset(lab.dataDir, schema.id);
        expect(y[0]).toBe(9); // the first training image is an ankle boot
        expect(y[60000]).toBe(9); // and so is the first test image
        expect(splits.test[0]).toBe(60000);
        let sum = 0;
        for (let i = 0; i < 784; i++) sum += x[i]!;
        expect(sum).toBeGreaterThan(0);
      } finally {
        lab.cleanup();
      }
    },
  );
});
