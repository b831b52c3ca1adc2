import { describe, it } from 'vitest';
import { runLayerTest, type LayerTestOptions } from '../../support/layer-test.js';
import type { LayerSpec } from '../../../core/engine/nn/index.js';

type Case = [label: string, spec: LayerSpec, inputShape: number[], options?: LayerTestOptions];

const cases: Case[] = [
  ['dense', { type: 'dense', units: 3 }, [4, 5], { weights: 2, params: 18 }],
  [
    'dense relu, no bias, regularised',
    {
      type: 'dense',
      units: 4,
      activation: 'relu',
      useBias: false,
      kernelRegularizer: { type: 'l2', alpha: 0.01 },
    },
    [6, 3],
    { weights: 1, params: 12 },
  ],
  ['dense on rank-3 inputs', { type: 'dense', units: 2, activation: 'tanh' }, [2, 3, 4], { params: 10 }],
  [
    'dense heNormal softmax',
    { type: 'dense', units: 5, activation: 'softmax', kernelInitializer: 'heNormal' },
    [3, 4],
  ],
  ...['linear', 'step', 'sigmoid', 'tanh', 'relu', 'elu', 'selu', 'softplus', 'softmax'].map(
    (activation): Case => [
      'activation ' + activation,
      { type: 'activation', activation },
      [3, 4],
      { weights: 0 },
    ],
  ),
  [
    'activation leakyRelu alpha',
    { type: 'activation', activation: { type: 'leakyRelu', alpha: 0.1 } },
    [3, 4],
  ],
  ['flatten', { type: 'flatten' }, [2, 3, 4, 2], { weights: 0 }],
  ['reshape', { type: 'reshape', targetShape: [4, -1] }, [2, 3, 4], { weights: 0 }],
  ['dropout', { type: 'dropout', rate: 0.4 }, [4, 6], { weights: 0, gradientTraining: false }],
  [
    'batchNormalization',
    { type: 'batchNormalization' },
    [8, 5],
    { weights: 4, params: 20, trainableParams: 10 },
  ],
  [
    'batchNormalization on images, momentum',
    { type: 'batchNormalization', momentum: 0.9, epsilon: 0.01 },
    [3, 4, 4, 2],
    { params: 8, trainableParams: 4 },
  ],
  [
    'batchNormalization without scale',
    { type: 'batchNormalization', scale: false },
    [6, 3],
    { params: 9, trainableParams: 3 },
  ],
  ['layerNormalization', { type: 'layerNormalization' }, [4, 6], { weights: 2, params: 12 }],
  [
    'layerNormalization on sequences',
    { type: 'layerNormalization', epsilon: 1e-5 },
    [2, 3, 5],
    { params: 10 },
  ],
  [
    'conv2d',
    { type: 'conv2d', filters: 3, kernelSize: 3 },
    [2, 5, 5, 2],
    { weights: 2, params: 3 * 3 * 2 * 3 + 3 },
  ],
  [
    'conv2d same, strides 2, relu',
    { type: 'conv2d', filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' },
    [2, 6, 5, 3],
    { params: 3 * 2 * 3 * 4 + 4 },
  ],
  [
    'conv2d dilated, no bias',
    { type: 'conv2d', filters: 2, kernelSize: 2, dilationRate: 2, useBias: false },
    [1, 6, 6, 1],
    { weights: 1, params: 8 },
  ],
  ['maxPooling2d', { type: 'maxPooling2d' }, [2, 4, 6, 3], { weights: 0 }],
  ['maxPooling2d same', { type: 'maxPooling2d', poolSize: 3, strides: 2, padding: 'same' }, [2, 5, 5, 2]],
  ['averagePooling2d', { type: 'averagePooling2d', poolSize: [2, 3] }, [2, 4, 6, 2], { weights: 0 }],
  ['averagePooling2d same', { type: 'averagePooling2d', poolSize: 2, padding: 'same' }, [2, 5, 3, 2]],
  ['globalAveragePooling2d', { type: 'globalAveragePooling2d' }, [2, 3, 4, 5], { weights: 0 }],
  ['globalAveragePooling2d keepDims', { type: 'globalAveragePooling2d', keepDims: true }, [2, 3, 4, 5]],
  [
    'embedding',
    { type: 'embedding', inputDim: 7, outputDim: 3 },
    [4, 5],
    { weights: 1, params: 21, input: { int: 7 }, learningRate: 1 },
  ],
  ['simpleRNN', { type: 'simpleRNN', units: 3 }, [2, 4, 5], { weights: 3, params: 5 * 3 + 3 * 3 + 3 }],
  [
    'simpleRNN returnSequences relu',
    { type: 'simpleRNN', units: 2, activation: 'relu', returnSequences: true },
    [3, 5, 2],
  ],
  ['lstm', { type: 'lstm', units: 3 }, [2, 4, 5], { weights: 3, params: 4 * (5 * 3 + 3 * 3 + 3) }],
  [
    'lstm returnSequences',
    { type: 'lstm', units: 2, returnSequences: true, unitForgetBias: false },
    [2, 3, 3],
  ],
  ['lstm goBackwards', { type: 'lstm', units: 2, goBackwards: true }, [2, 4, 3]],
  ['gru', { type: 'gru', units: 3 }, [2, 4, 5], { weights: 3, params: 3 * (5 * 3 + 3 * 3 + 2 * 3) }],
  [
    'gru resetAfter false, returnSequences',
    { type: 'gru', units: 3, resetAfter: false, returnSequences: true },
    [2, 4, 2],
    { params: 3 * (2 * 3 + 3 * 3 + 3) },
  ],
  [
    'simpleRNN goBackwards, returnSequences',
    { type: 'simpleRNN', units: 2, goBackwards: true, returnSequences: true },
    [2, 3, 2],
  ],
];

describe('runLayerTest: every layer', () => {
  for (const [label, spec, shape, options] of cases) {
    it(label, () => runLayerTest(spec, shape, options));
  }
});
