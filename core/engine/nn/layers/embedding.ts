/**
 * Embedding: integer token ids → learned vectors.
 */
import { gather } from '../../ops/indexing.js';
import { cast } from '../../ops/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { parseInitializer, type InitializerSpec } from '../initializers.js';
import { Layer, readLayerOptions, type CommonLayerOptions } from '../layer.js';
import { optional, positiveInt, required, type JsonValue, type OptionValues } from '../options.js';
import { parseRegularizer, type RegularizerSpec } from '../regularizers.js';

const embeddingOptions = {
  inputDim: required(positiveInt),
  outputDim: required(positiveInt),
  embeddingsInitializer: optional(parseInitializer, 'randomUniform' as InitializerSpec),
  embeddingsRegularizer: optional(parseRegularizer, null as RegularizerSpec | null),
};

export interface EmbeddingOptions extends CommonLayerOptions {
  /** The vocabulary size: ids run from 0 to inputDim − 1. */
  inputDim: number;
  /** The length of each vector. */
  outputDim: number;
  /** Defaults to 'randomUniform' (U(−0.05, 0.05), Keras's 'uniform'). */
  embeddingsInitializer?: InitializerSpec;
  embeddingsRegularizer?: RegularizerSpec | null;
}

/**
 * Looks up row `id` of an [inputDim, outputDim] table for every id: [batch, …] → [batch, …, outputDim].
 * Ids may come as int32 or as whole numbers in a float tensor (as datasets store them); they
 * must lie in [0, inputDim). The gradient reaches the table only (ids are not differentiable).
 * @example new Embedding({ inputDim: 10000, outputDim: 64 })
 */
export class Embedding extends Layer {
  readonly options: OptionValues<typeof embeddingOptions>;
  embeddings: Tensor | null = null;

  constructor(spec: EmbeddingOptions) {
    super('embedding', spec);
    this.options = readLayerOptions('embedding', { ...spec }, embeddingOptions);
  }

  protected override buildWeights(): void {
    const o = this.options;
    this.embeddings = this.addWeight('embeddings', [o.inputDim, o.outputDim], o.embeddingsInitializer, {
      regularizer: o.embeddingsRegularizer,
    });
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape, this.options.outputDim];
  }

  call(x: Tensor): Tensor {
    const ids = x.dtype === 'int32' ? x : cast(x, 'int32');
    return gather(this.embeddings!, ids, 0);
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}
