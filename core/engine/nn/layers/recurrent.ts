/**
 * Recurrent layers over [batch, time, features]: simpleRNN, lstm and gru. Each unrolls over
 * time with ordinary ops, so autodiff gives backpropagation through time.
 *
 * The input projection x·W (+ b) is one matmul for all time steps at once, laid out
 * time-major so that each step's slice is a contiguous view; only h·U runs per step.
 *
 * Weights follow Keras's layout, so counts and weights match Keras's:
 * - simpleRNN: kernel [F, U], recurrentKernel [U, U], bias [U].
 * - lstm: gates in the order i, f, c, o: kernel [F, 4U], recurrentKernel [U, 4U], bias [4U].
 * - gru: gates in the order z, r, h: kernel [F, 3U], recurrentKernel [U, 3U]; with
 *   `resetAfter: true` (Keras's default, the CuDNN variant) bias [2, 3U] — an input bias and a
 *   recurrent bias, the reset gate applied after the recurrent product:
 *     h̃ = tanh(x·W_h + b_h + r ⊙ (h·U_h + b'_h));
 *   with `resetAfter: false` (the original formulation) bias [3U] and h̃ = tanh(x·W_h + (r ⊙ h)·U_h + b_h).
 *   Then h = z ⊙ h_prev + (1 − z) ⊙ h̃, as Keras.
 *
 * Options users know from Keras: `returnSequences`, `goBackwards`; Keras's `returnState` and
 * `initial_state` are `callWithState(x, {initialState})`, which returns the final state too.
 */
import { zeros } from '../../ops/creation.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { gruCell } from '../../ops/gru-cell.js';
import { lstmCell } from '../../ops/lstm-cell.js';
import { matmul } from '../../ops/matmul.js';
import { contiguous, permute, reshape, slice, stack } from '../../ops/shape.js';
import { formatShape, ShapeError } from '../../tensor/layout.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { createActivation, parseActivation, type Activation, type ActivationSpec } from '../activations.js';
import { createInitializer, parseInitializer, type InitializerSpec } from '../initializers.js';
import { Layer, readLayerOptions, type CommonLayerOptions } from '../layer.js';
import {
  boolean,
  optional,
  positiveInt,
  required,
  type JsonValue,
  type OptionTable,
  type OptionValues,
} from '../options.js';
import { parseRegularizer, type RegularizerSpec } from '../regularizers.js';

const regularizer = () => optional(parseRegularizer, null as RegularizerSpec | null);

const baseOptions = {
  units: required(positiveInt),
  activation: optional(parseActivation, 'tanh' as ActivationSpec),
  useBias: optional(boolean, true),
  kernelInitializer: optional(parseInitializer, 'glorotUniform' as InitializerSpec),
  recurrentInitializer: optional(parseInitializer, 'orthogonal' as InitializerSpec),
  biasInitializer: optional(parseInitializer, 'zeros' as InitializerSpec),
  kernelRegularizer: regularizer(),
  recurrentRegularizer: regularizer(),
  biasRegularizer: regularizer(),
  returnSequences: optional(boolean, false),
  goBackwards: optional(boolean, false),
};

const gatedOptions = {
  ...baseOptions,
  recurrentActivation: optional(parseActivation, 'sigmoid' as ActivationSpec),
};

const lstmOptions = { ...gatedOptions, unitForgetBias: optional(boolean, true) };
const gruOptions = { ...gatedOptions, resetAfter: optional(boolean, true) };

export interface RecurrentOptions extends CommonLayerOptions {
  /** The size of the hidden state. */
  units: number;
  /** Defaults to 'tanh'. */
  activation?: ActivationSpec;
  /** Defaults to true. */
  useBias?: boolean;
  /** Defaults to 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Defaults to 'orthogonal'. */
  recurrentInitializer?: InitializerSpec;
  /** Defaults to 'zeros'. */
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: RegularizerSpec | null;
  recurrentRegularizer?: RegularizerSpec | null;
  biasRegularizer?: RegularizerSpec | null;
  /** Output every step's state [batch, time, units] rather than the last [batch, units]. Defaults to false. */
  returnSequences?: boolean;
  /**
   * Read the sequence from its last step to its first (as Keras: with returnSequences the
   * outputs come in that reversed order too). Defaults to false.
   */
  goBackwards?: boolean;
}

/** A recurrent layer's output together with its final state, for hand-written models. */
export interface RecurrentResult {
  /** What `call` returns: the last state's h, or every step's when returnSequences. */
  output: Tensor;
  /** The final state: [h] for simpleRNN and gru, [h, c] for lstm, each [batch, units]. */
  state: Tensor[];
}

export interface GatedRecurrentOptions extends RecurrentOptions {
  /** The gates' activation. Defaults to 'sigmoid'. */
  recurrentActivation?: ActivationSpec;
}

export interface LSTMOptions extends GatedRecurrentOptions {
  /** Initialise the forget gate's bias to 1 (Jozefowicz et al., 2015). Defaults to true. */
  unitForgetBias?: boolean;
}

export interface GRUOptions extends GatedRecurrentOptions {
  /** Apply the reset gate after the recurrent product (Keras's default, true) or before it. */
  resetAfter?: boolean;
}

type BaseValues = OptionValues<typeof baseOptions>;

abstract class Recurrent<T extends BaseValues> extends Layer {
  readonly options: T;
  protected readonly activation: Activation;
  kernel: Tensor | null = null;
  recurrentKernel: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(
    type: string,
    spec: RecurrentOptions,
    table: OptionTable,
    private readonly gates: number,
  ) {
    super(type, spec);
    this.options = readLayerOptions(type, { ...spec }, table) as T;
    this.activation = createActivation(this.options.activation, `${type}.activation`);
  }

  override get activationName(): string | undefined {
    return this.activation.name === 'linear' ? undefined : this.activation.name;
  }

  /** The bias's shape and values; GRU and LSTM refine it. */
  protected biasShape(): number[] {
    return [this.gates * this.options.units];
  }

  protected biasInitializer():
    InitializerSpec | ((shape: readonly number[], random: Random) => Float64Array) {
    return this.options.biasInitializer;
  }

  protected override buildWeights(inputShape: readonly number[]): void {
    this.checkInput(inputShape);
    const o = this.options;
    const width = this.gates * o.units;
    this.kernel = this.addWeight('kernel', [inputShape[1]!, width], o.kernelInitializer, {
      regularizer: o.kernelRegularizer,
    });
    this.recurrentKernel = this.addWeight('recurrentKernel', [o.units, width], o.recurrentInitializer, {
      regularizer: o.recurrentRegularizer,
    });
    if (o.useBias) {
      this.bias = this.addWeight('bias', this.biasShape(), this.biasInitializer(), {
        regularizer: o.biasRegularizer,
      });
    }
  }

  private checkInput(inputShape: readonly number[]): void {
    if (inputShape.length !== 2) {
      throw new ShapeError(
        `${this.name}: expects sequences [time, features], got examples of shape ${formatShape(inputShape)}`,
      );
    }
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    this.checkInput(inputShape);
    return this.options.returnSequences ? [inputShape[0]!, this.options.units] : [this.options.units];
  }

  /** The bias added to the input projection (all of it, or GRU's input half). */
  protected inputBias(): Tensor | null {
    return this.bias;
  }

  /** One time step: the step's input projection [batch, gates·units] and the state → the new state. */
  protected abstract step(projected: Tensor, state: Tensor[]): Tensor[];

  /** How many state tensors the layer carries (hidden state first): 2 for LSTM's h and c. */
  protected get stateCount(): number {
    return 1;
  }

  /** The zero initial state. */
  private initialState(batch: number): Tensor[] {
    return Array.from({ length: this.stateCount }, () => zeros([batch, this.options.units], this.dtype));
  }

  call(x: Tensor): Tensor {
    return this.callWithState(x).output;
  }

  /**
   * Keras's `returnState`: the output and the final state, optionally starting from a given
   * state (an encoder's, in a sequence-to-sequence model) instead of zeros. A Sequential model
   * passes one tensor between layers, so this is for models written with the low-level API.
   * @example const { output, state: [h, c] } = lstm.callWithState(x, { initialState: encoderState })
   */
  callWithState(x: Tensor, options: { initialState?: readonly Tensor[] } = {}): RecurrentResult {
    const input = this.castInput(x);
    if (input.rank !== 3) {
      throw new ShapeError(`${this.name}: expects [batch, time, features], got ${formatShape(input.shape)}`);
    }
    const [batch, time, features] = input.shape as [number, number, number];
    const width = this.gates * this.options.units;
    // Time-major projection: [time·batch, F] × [F, G·U], then one contiguous block per step.
    const timeMajor = contiguous(permute(input, [1, 0, 2]));
    let projected = matmul(reshape(timeMajor, [time * batch, features]), this.kernel!);
    const bias = this.inputBias();
    if (bias) projected = add(projected, bias);
    const steps = reshape(projected, [time, batch, width]);
    let state = options.initialState
      ? this.checkState(options.initialState, batch)
      : this.initialState(batch);
    const outputs: Tensor[] = [];
    for (let i = 0; i < time; i++) {
      const t = this.options.goBackwards ? time - 1 - i : i;
      const xt = reshape(slice(steps, [t, 0, 0], [1, batch, width]), [batch, width]);
      state = this.step(xt, state);
      if (this.options.returnSequences) outputs.push(state[0]!);
    }
    return { output: this.options.returnSequences ? stack(outputs, 1) : state[0]!, state };
  }

  private checkState(given: readonly Tensor[], batch: number): Tensor[] {
    const shape = [batch, this.options.units];
    const fits = given.length === this.stateCount && given.every((t) => t.shape.join() === shape.join());
    if (!fits) {
      throw new ShapeError(
        `${this.name}: initialState must be ${this.stateCount} tensor(s) of shape ${formatShape(shape)}, got ${given.map((t) => formatShape(t.shape)).join(', ') || 'none'}`,
      );
    }
    return given.map((t) => this.castInput(t));
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}

/** Columns [k·U, (k+1)·U) of a [batch, G·U] tensor: gate k (a view). */
function gate(t: Tensor, k: number, units: number): Tensor {
  return slice(t, [0, k * units], [t.shape[0]!, units]);
}

/**
 * A fully connected recurrent layer: h_t = activation(x_t·W + h_{t−1}·U + b).
 * @example new SimpleRNN({ units: 32, returnSequences: true })
 */
export class SimpleRNN extends Recurrent<BaseValues> {
  constructor(spec: RecurrentOptions) {
    super('simpleRNN', spec, baseOptions, 1);
  }

  protected step(projected: Tensor, [h]: Tensor[]): Tensor[] {
    return [this.activation.apply(add(projected, matmul(h!, this.recurrentKernel!)))];
  }
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber, 1997), gates i, f, c, o as Keras:
 * i = σ(·), f = σ(·), g = tanh(·), o = σ(·); c_t = f ⊙ c_{t−1} + i ⊙ g; h_t = o ⊙ tanh(c_t).
 * Parameters: 4·(F·U + U·U + U).
 * @example new LSTM({ units: 64 })
 */
export class LSTM extends Recurrent<OptionValues<typeof lstmOptions>> {
  private readonly recurrentActivation: Activation;

  constructor(spec: LSTMOptions) {
    super('lstm', spec, lstmOptions, 4);
    this.recurrentActivation = createActivation(this.options.recurrentActivation, 'lstm.recurrentActivation');
  }

  protected override biasInitializer():
    InitializerSpec | ((shape: readonly number[], random: Random) => Float64Array) {
    if (!this.options.unitForgetBias) return this.options.biasInitializer;
    const init = createInitializer(this.options.biasInitializer);
    const units = this.options.units;
    // As Keras: the initializer for i, ones for f, the initializer for c and o.
    return (_shape, random) => {
      const values = new Float64Array(4 * units);
      values.set(init.sample([units], random), 0);
      values.fill(1, units, 2 * units);
      values.set(init.sample([2 * units], random), 2 * units);
      return values;
    };
  }

  protected override get stateCount(): number {
    return 2;
  }

  protected step(projected: Tensor, [h, c]: Tensor[]): Tensor[] {
    const u = this.options.units;
    const z = add(projected, matmul(h!, this.recurrentKernel!));
    if (this.recurrentActivation.name === 'sigmoid' && this.activation.name === 'tanh') {
      // Keras's default activations: one fused cell op (ops/lstm-cell.ts) instead of ten.
      const packed = lstmCell(z, c!);
      const batch = z.shape[0]!;
      return [slice(packed, [0, 0], [batch, u]), slice(packed, [0, u], [batch, u])];
    }
    const i = this.recurrentActivation.apply(gate(z, 0, u));
    const f = this.recurrentActivation.apply(gate(z, 1, u));
    const g = this.activation.apply(gate(z, 2, u));
    const o = this.recurrentActivation.apply(gate(z, 3, u));
    const cNext = add(mul(f, c!), mul(i, g));
    return [mul(o, this.activation.apply(cNext)), cNext];
  }
}

/**
 * Gated recurrent unit (Cho et al., 2014), gates z, r, h as Keras; `resetAfter: true` by default
 * (see the module comment for both variants). Parameters: 3·(F·U + U·U + 2U) with resetAfter,
 * 3·(F·U + U·U + U) without.
 * @example new GRU({ units: 64, returnSequences: true })
 */
export class GRU extends Recurrent<OptionValues<typeof gruOptions>> {
  private readonly recurrentActivation: Activation;

  constructor(spec: GRUOptions) {
    super('gru', spec, gruOptions, 3);
    this.recurrentActivation = createActivation(this.options.recurrentActivation, 'gru.recurrentActivation');
  }

  protected override biasShape(): number[] {
    const width = 3 * this.options.units;
    return this.options.resetAfter ? [2, width] : [width];
  }

  protected override inputBias(): Tensor | null {
    if (!this.bias || !this.options.resetAfter) return this.bias;
    return reshape(slice(this.bias, [0, 0], [1, this.bias.shape[1]!]), [this.bias.shape[1]!]);
  }

  private recurrentBias(): Tensor | null {
    if (!this.bias || !this.options.resetAfter) return null;
    return reshape(slice(this.bias, [1, 0], [1, this.bias.shape[1]!]), [this.bias.shape[1]!]);
  }

  protected step(projected: Tensor, [h]: Tensor[]): Tensor[] {
    const u = this.options.units;
    const kernel = this.recurrentKernel!;
    let candidate: Tensor;
    let z: Tensor;
    if (this.options.resetAfter) {
      let recurrent = matmul(h!, kernel);
      const bias = this.recurrentBias();
      if (bias) recurrent = add(recurrent, bias);
      if (this.recurrentActivation.name === 'sigmoid' && this.activation.name === 'tanh') {
        // Keras's default activations: one fused step op (ops/gru-cell.ts) instead of a dozen.
        return [gruCell(projected, recurrent, h!)];
      }
      z = this.recurrentActivation.apply(add(gate(projected, 0, u), gate(recurrent, 0, u)));
      const r = this.recurrentActivation.apply(add(gate(projected, 1, u), gate(recurrent, 1, u)));
      candidate = this.activation.apply(add(gate(projected, 2, u), mul(r, gate(recurrent, 2, u))));
    } else {
      const gatesKernel = slice(kernel, [0, 0], [u, 2 * u]);
      const candidateKernel = slice(kernel, [0, 2 * u], [u, u]);
      const recurrent = matmul(h!, gatesKernel);
      z = this.recurrentActivation.apply(add(gate(projected, 0, u), gate(recurrent, 0, u)));
      const r = this.recurrentActivation.apply(add(gate(projected, 1, u), gate(recurrent, 1, u)));
      candidate = this.activation.apply(add(gate(projected, 2, u), matmul(mul(r, h!), candidateKernel)));
    }
    // h = z ⊙ h_prev + (1 − z) ⊙ h̃
    return [add(mul(z, h!), mul(sub(1, z), candidate))];
  }
}
