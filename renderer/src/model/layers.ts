// The model builder's layer list: the layer kinds a person can add, their options with defaults,
// inline validation, and the live summary (output shape and parameter count per layer), computed
// the way Keras does for the same layers.

export type Activation =
  'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'leakyRelu' | 'elu' | 'selu' | 'softplus';
export const ACTIVATIONS: Activation[] = [
  'linear',
  'relu',
  'leakyRelu',
  'elu',
  'selu',
  'softplus',
  'sigmoid',
  'tanh',
  'softmax',
];
export type Initializer = 'glorotUniform' | 'heNormal' | 'heUniform' | 'lecunNormal' | 'zeros';
export const INITIALIZERS: Initializer[] = ['glorotUniform', 'heNormal', 'heUniform', 'lecunNormal'];

export type LayerSpec =
  | { type: 'dense'; units: number; activation: Activation; kernelInitializer?: Initializer }
  | { type: 'dropout'; rate: number }
  | { type: 'batchNormalization' }
  | { type: 'flatten' }
  | {
      type: 'conv2d';
      filters: number;
      kernelSize: number;
      strides: number;
      padding: 'valid' | 'same';
      activation: Activation;
    }
  | { type: 'maxPooling2d'; poolSize: number }
  | { type: 'lstm'; units: number; returnSequences: boolean }
  | { type: 'reshape'; targetShape: number[] };

export type LayerType = LayerSpec['type'];

export const LAYER_TYPES: { type: LayerType; label: string; make: () => LayerSpec }[] = [
  { type: 'dense', label: 'Dense', make: () => ({ type: 'dense', units: 32, activation: 'relu' }) },
  { type: 'dropout', label: 'Dropout', make: () => ({ type: 'dropout', rate: 0.2 }) },
  { type: 'batchNormalization', label: 'Batch normalization', make: () => ({ type: 'batchNormalization' }) },
  { type: 'flatten', label: 'Flatten', make: () => ({ type: 'flatten' }) },
  {
    type: 'conv2d',
    label: 'Conv2D',
    make: () => ({
      type: 'conv2d',
      filters: 16,
      kernelSize: 3,
      strides: 1,
      padding: 'same',
      activation: 'relu',
    }),
  },
  { type: 'maxPooling2d', label: 'Max pooling 2D', make: () => ({ type: 'maxPooling2d', poolSize: 2 }) },
  { type: 'lstm', label: 'LSTM', make: () => ({ type: 'lstm', units: 32, returnSequences: false }) },
  { type: 'reshape', label: 'Reshape', make: () => ({ type: 'reshape', targetShape: [28, 28, 1] }) },
];

export function layerLabel(type: LayerType): string {
  return LAYER_TYPES.find((entry) => entry.type === type)?.label ?? type;
}

/** One row of the summary: the shape after the layer (without the batch axis) and its weights. */
export interface LayerRow {
  index: number;
  name: string;
  outputShape: number[] | null;
  params: number;
  trainable: number;
  /** What is wrong with this layer, in words; null when it is fine. */
  error: string | null;
}

export interface ModelSummary {
  rows: LayerRow[];
  totalParams: number;
  trainableParams: number;
  outputShape: number[] | null;
  valid: boolean;
  /** A problem with the model as a whole (e.g. its output does not fit the task). */
  modelError: string | null;
}

const positiveInt = (value: number) => Number.isInteger(value) && value > 0;

/** Shapes and parameter counts for `layers` applied to inputs of `inputShape` (no batch axis). */
export function summarize(
  layers: LayerSpec[],
  inputShape: number[],
  target?: { task: 'classification' | 'regression'; outputs: number },
): ModelSummary {
  const rows: LayerRow[] = [];
  let shape: number[] | null = inputShape.slice();
  const counts: Record<string, number> = {};
  layers.forEach((layer, index) => {
    counts[layer.type] = (counts[layer.type] ?? 0) + 1;
    const name = `${layer.type}_${counts[layer.type]}`;
    const result: { shape: number[] | null; params: number; trainable: number; error: string | null } = shape
      ? apply(layer, shape)
      : { shape: null, params: 0, trainable: 0, error: 'the layer before it is invalid' };
    rows.push({
      index,
      name,
      outputShape: result.shape,
      params: result.params,
      trainable: result.trainable,
      error: result.error,
    });
    shape = result.shape;
  });
  const totalParams = rows.reduce((sum, row) => sum + row.params, 0);
  const trainableParams = rows.reduce((sum, row) => sum + row.trainable, 0);
  let modelError: string | null = null;
  if (layers.length === 0) modelError = 'Add at least one layer.';
  else if (shape && target) {
    const flat = shape.length === 1 ? shape[0]! : null;
    if (flat === null)
      modelError = `The last layer outputs shape [${shape.join(', ')}]; add Flatten and a Dense layer.`;
    else if (flat !== target.outputs) {
      modelError =
        target.task === 'classification'
          ? `The last layer has ${flat} units; this dataset has ${target.outputs} classes, so it needs ${target.outputs}.`
          : `The last layer has ${flat} units; this dataset has ${target.outputs} target value(s).`;
    }
  }
  return {
    rows,
    totalParams,
    trainableParams,
    outputShape: shape,
    valid: modelError === null && rows.every((row) => row.error === null),
    modelError,
  };
}

function apply(
  layer: LayerSpec,
  input: number[],
): { shape: number[] | null; params: number; trainable: number; error: string | null } {
  const fail = (error: string) => ({ shape: null, params: 0, trainable: 0, error });
  const ok = (shape: number[], params = 0, trainable = params) => ({ shape, params, trainable, error: null });
  switch (layer.type) {
    case 'dense': {
      if (!positiveInt(layer.units)) return fail('units must be a whole number above 0');
      if (input.length !== 1)
        return fail(`expects a flat input, got [${input.join(', ')}]; add Flatten before it`);
      const params = input[0]! * layer.units + layer.units;
      return ok([layer.units], params);
    }
    case 'dropout':
      if (!(layer.rate >= 0 && layer.rate < 1)) return fail('rate must be at least 0 and below 1');
      return ok(input);
    case 'batchNormalization': {
      const channels = input[input.length - 1]!;
      // gamma and beta train; the moving mean and variance do not.
      return ok(input, 4 * channels, 2 * channels);
    }
    case 'flatten':
      return ok([input.reduce((a, b) => a * b, 1)]);
    case 'conv2d': {
      if (input.length !== 3)
        return fail(`expects [height, width, channels], got [${input.join(', ')}]; add Reshape first`);
      if (!positiveInt(layer.filters)) return fail('filters must be a whole number above 0');
      if (!positiveInt(layer.kernelSize)) return fail('kernel size must be a whole number above 0');
      if (!positiveInt(layer.strides)) return fail('strides must be a whole number above 0');
      const [h, w, c] = input as [number, number, number];
      const out = (size: number) =>
        layer.padding === 'same'
          ? Math.ceil(size / layer.strides)
          : Math.floor((size - layer.kernelSize) / layer.strides) + 1;
      const oh = out(h);
      const ow = out(w);
      if (oh < 1 || ow < 1)
        return fail(`a ${layer.kernelSize}×${layer.kernelSize} kernel does not fit a ${h}×${w} input`);
      return ok(
        [oh, ow, layer.filters],
        layer.kernelSize * layer.kernelSize * c * layer.filters + layer.filters,
      );
    }
    case 'maxPooling2d': {
      if (input.length !== 3) return fail(`expects [height, width, channels], got [${input.join(', ')}]`);
      if (!positiveInt(layer.poolSize)) return fail('pool size must be a whole number above 0');
      const [h, w, c] = input as [number, number, number];
      const oh = Math.floor(h / layer.poolSize);
      const ow = Math.floor(w / layer.poolSize);
      if (oh < 1 || ow < 1)
        return fail(`a ${layer.poolSize}×${layer.poolSize} pool does not fit a ${h}×${w} input`);
      return ok([oh, ow, c]);
    }
    case 'lstm': {
      if (!positiveInt(layer.units)) return fail('units must be a whole number above 0');
      if (input.length !== 2)
        return fail(`expects [timesteps, features], got [${input.join(', ')}]; add Reshape first`);
      const features = input[1]!;
      const params = 4 * (layer.units * (features + layer.units) + layer.units);
      return ok(layer.returnSequences ? [input[0]!, layer.units] : [layer.units], params);
    }
    case 'reshape': {
      if (!layer.targetShape.length || !layer.targetShape.every(positiveInt))
        return fail('target shape must be whole numbers above 0');
      const from = input.reduce((a, b) => a * b, 1);
      const to = layer.targetShape.reduce((a, b) => a * b, 1);
      if (from !== to)
        return fail(`cannot reshape ${from} values into [${layer.targetShape.join(', ')}] (${to} values)`);
      return ok(layer.targetShape.slice());
    }
  }
}

export function formatShape(shape: number[] | null): string {
  return shape ? `(batch, ${shape.join(', ')})` : '—';
}
