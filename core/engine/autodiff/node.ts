/**
 * One recorded operation on the autodiff tape. An op's forward code creates the node right
 * beside its backward rule (see `record`), so the two are always read together.
 */
import type { Tensor } from '../tensor/tensor.js';

export interface GradNode {
  readonly op: string;
  /** The operands, in order; `backward` returns one gradient (or null) per operand. */
  readonly inputs: readonly Tensor[];
  /**
   * Given the gradient of the loss with respect to this node's output, the gradients with
   * respect to each input. A gradient may have the broadcast (output) shape; the tape walker
   * sums it back to the input's shape, in one place. `needs[i]` says whether input i's
   * gradient is wanted at all, so a rule can skip work nobody will use (the first layer's
   * input gradient, for instance).
   */
  readonly backward: Backward;
}

export type Backward = (dy: Tensor, needs: readonly boolean[]) => readonly (Tensor | RegionGrad | null)[];

/**
 * A gradient that is zero except for one block of the input: `value` placed at `begin` (a
 * slice's backward). The tape walker adds it into that block of one accumulator, so the T
 * slices an RNN takes of its input projection cost O(block) each instead of a padded
 * full-size tensor and a full-size add apiece (O(T²) over a sequence).
 */
export class RegionGrad {
  constructor(
    readonly value: Tensor,
    readonly begin: readonly number[],
  ) {}
}
