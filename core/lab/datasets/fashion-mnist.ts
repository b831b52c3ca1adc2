// Fashion-MNIST from Debian's dataset-fashion-mnist package, or any folder with its four files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetImportError } from './errors.js';
import type { IdxSource } from './idx-import.js';

/** Where Debian's dataset-fashion-mnist installs the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const files = {
  images: 'train-images-idx3-ubyte',
  labels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** True when `folder` (default: Debian's location) holds all four files, raw or gzipped. */
export function hasFashionMnist(folder = DEBIAN_FASHION_MNIST_DIR): boolean {
  return Object.values(files).every((name) => findFile(folder, name) !== undefined);
}

export function fashionMnistSource(folder = DEBIAN_FASHION_MNIST_DIR): IdxSource {
  const found: Partial<Record<keyof typeof files, string>> = {};
  for (const [key, name] of Object.entries(files) as [keyof typeof files, string][]) {
    const file = findFile(folder, name);
    if (!file) {
      throw new DatasetImportError({
        file: folder,
        found: `no ${name}(.gz)`,
        expected:
          "Fashion-MNIST's four IDX files (install Debian's dataset-fashion-mnist, or choose the folder holding them)",
      });
    }
    found[key] = file;
  }
  return { ...(found as Required<typeof found>), classNames: FASHION_MNIST_CLASSES };
}

function findFile(folder: string, name: string): string | undefined {
  for (const candidate of [`${name}.gz`, name]) {
    const path = join(folder, candidate);
    if (existsSync(path)) return path;
  }
  return undefined;
}
