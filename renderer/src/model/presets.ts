// Ready-made networks. Each preset fits itself to the chosen dataset: the input it expects, and
// an output layer with one unit per class (softmax) or per target value (linear).
import type { LayerSpec } from './layers.js';

export interface PresetTarget {
  inputShape: number[];
  task: 'classification' | 'regression';
  outputs: number;
}

export interface Preset {
  id: string;
  name: string;
  description: string;
  /** The sample or kind of data it was made for. */
  suits: string;
  layers: (target: PresetTarget) => LayerSpec[];
}

const head = (target: PresetTarget): LayerSpec =>
  target.task === 'classification'
    ? { type: 'dense', units: target.outputs, activation: target.outputs === 1 ? 'sigmoid' : 'softmax' }
    : { type: 'dense', units: target.outputs, activation: 'linear' };

const flatSize = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A square image shape for flat pixel inputs (784 → 28×28×1), or the shape as it is. */
function imageShape(shape: number[]): number[] | null {
  if (shape.length === 3) return shape;
  if (shape.length === 2) return [shape[0]!, shape[1]!, 1];
  const side = Math.round(Math.sqrt(flatSize(shape)));
  return side * side === flatSize(shape) && side >= 8 ? [side, side, 1] : null;
}

export const PRESETS: Preset[] = [
  {
    id: 'ice-cream',
    name: 'Ice-cream regression',
    description:
      'One small hidden layer predicting sales from the temperature: the first network of every course.',
    suits: 'ice-cream, sine',
    layers: (target) => [
      { type: 'dense', units: 8, activation: 'relu', kernelInitializer: 'heNormal' },
      head(target),
    ],
  },
  {
    id: 'tabular-classifier',
    name: 'Small classifier',
    description:
      'Two tanh layers of 16 units: enough to bend a boundary around XOR, spirals, moons and circles.',
    suits: 'xor, spirals, moons, circles',
    layers: (target) => [
      { type: 'dense', units: 16, activation: 'tanh' },
      { type: 'dense', units: 16, activation: 'tanh' },
      head(target),
    ],
  },
  {
    id: 'mnist-mlp',
    name: 'MNIST MLP with batch normalization',
    description:
      'Flatten, 128 ReLU units with batch normalization and dropout, then a softmax over the classes.',
    suits: 'MNIST, Fashion-MNIST',
    layers: (target) => [
      ...(target.inputShape.length > 1 ? [{ type: 'flatten' } as LayerSpec] : []),
      { type: 'dense', units: 128, activation: 'relu', kernelInitializer: 'heNormal' },
      { type: 'batchNormalization' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 64, activation: 'relu', kernelInitializer: 'heNormal' },
      head(target),
    ],
  },
  {
    id: 'small-cnn',
    name: 'Small CNN',
    description:
      'Two 3×3 convolution and max-pooling stages, then a dense head: the classic image classifier.',
    suits: 'MNIST, Fashion-MNIST, image folders',
    layers: (target) => {
      const shape = imageShape(target.inputShape);
      return [
        ...(shape && target.inputShape.length !== 3
          ? [{ type: 'reshape', targetShape: shape } as LayerSpec]
          : []),
        { type: 'conv2d', filters: 16, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 32, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 64, activation: 'relu' },
        head(target),
      ];
    },
  },
  {
    id: 'lstm',
    name: 'LSTM for sequences',
    description:
      'Reads the features as a sequence (one value per time step) with 32 LSTM units, then a dense head.',
    suits: 'sequences, sine',
    layers: (target) => [
      ...(target.inputShape.length === 2
        ? []
        : [{ type: 'reshape', targetShape: [flatSize(target.inputShape), 1] } as LayerSpec]),
      { type: 'lstm', units: 32, returnSequences: false },
      head(target),
    ],
  },
];
