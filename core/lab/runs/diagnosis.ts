// A bias/variance diagnosis of one run, from its per-epoch loss (and metric) series and its
// per-layer health: a verdict, the numbers behind it, and what to try next. Pure: no store, no
// engine, so it runs anywhere and is tested on synthetic curves.
//
// The rules follow the usual reading of learning curves (Ng's bias/variance, Karpathy's
// "recipe"): a training loss that stays high is bias; a validation loss that turns up while the
// training loss keeps falling, or a wide gap, is variance; gradient norms that shrink towards the
// input or blow up explain a network that cannot learn. Thresholds are named constants below.

export type DiagnosisVerdict =
  | 'insufficient-data'
  | 'diverged'
  | 'exploding-gradients'
  | 'vanishing-gradients'
  | 'overfitting'
  | 'underfitting'
  | 'still-improving'
  | 'good-fit';

export type FindingKind = DiagnosisVerdict | 'dead-relu' | 'large-updates';

/** One layer's health by epoch, in model order (first layer first). */
export interface LayerHealthSeries {
  layer: string;
  epoch: number[];
  weightNorm: (number | null)[];
  gradientNorm: (number | null)[];
  updateRatio: (number | null)[];
  deadFraction: (number | null)[];
}

export interface DiagnosisInput {
  /** 0-based epochs; the loss and metric arrays are aligned with it. */
  epochs: number[];
  trainLoss: (number | null)[];
  validationLoss?: (number | null)[] | null;
  /** The run's main metric (e.g. accuracy), when it has one. */
  metric?: {
    name: string;
    higherIsBetter: boolean;
    train: (number | null)[];
    validation?: (number | null)[] | null;
  } | null;
  health?: LayerHealthSeries[];
  /** The run's status: `diverged` is a verdict by itself. */
  status?: string;
  /**
   * The loss of a model that has learnt nothing (ln K for cross-entropy over K classes, the
   * target variance for MSE), when known: "high" training loss is measured against it.
   */
  baselineLoss?: number | null;
}

export interface DiagnosisEvidence {
  /** Epochs with a finite training loss. */
  epochs: number;
  finalTrainLoss: number | null;
  bestTrainLoss: number | null;
  finalValidationLoss: number | null;
  bestValidationLoss: number | null;
  /** 0-based epoch of the lowest validation loss. */
  bestValidationEpoch: number | null;
  /** Final validation loss minus final training loss. */
  gap: number | null;
  /** `gap` over the final training loss. */
  relativeGap: number | null;
  /** 0-based epoch after which the validation loss rose (the best epoch), when it did. */
  validationTurnEpoch: number | null;
  /** Relative change per epoch (least-squares slope over the mean) over the last `trendWindow` epochs; negative is falling. */
  trainTrend: number | null;
  validationTrend: number | null;
  trendWindow: number;
  baselineLoss: number | null;
  /** Final training loss over `baselineLoss`. */
  lossVsBaseline: number | null;
  metric: { name: string; finalTrain: number | null; finalValidation: number | null } | null;
  /** Per layer in model order: gradient norm at the first and last epoch with one, and the largest. */
  gradientNorms: { layer: string; first: number | null; last: number | null; max: number | null }[];
  /** Last-epoch gradient norm of the first layer over the last layer's. */
  gradientRatioFirstToLast: number | null;
  /** The largest update/weight ratio at the last epoch, and its layer. */
  maxUpdateRatio: { layer: string; value: number } | null;
  /** The largest dead-ReLU fraction at the last epoch, and its layer. */
  maxDeadFraction: { layer: string; value: number } | null;
}

export interface Diagnosis {
  verdict: DiagnosisVerdict;
  /** One sentence: the verdict in words with its main number. */
  headline: string;
  /** Everything noticed, the verdict first; each with its reason in words. */
  findings: { kind: FindingKind; message: string }[];
  evidence: DiagnosisEvidence;
  /** Concrete things to try, most promising first. */
  nextSteps: string[];
}

/** Epochs the trends look back over (fewer when the run is shorter). */
export const TREND_WINDOW = 5;
/** A loss falling by at least this fraction per epoch is still improving. */
export const IMPROVING_TREND = -0.01;
/** Validation loss this far above its best (relative), at least two epochs later, has turned up. */
export const OVERFIT_RISE = 0.1;
/** Validation loss this many times the training loss is a variance problem even without a turn. */
export const OVERFIT_GAP_RATIO = 2;
/** Training loss still above this fraction of the know-nothing baseline is high bias. */
export const UNDERFIT_BASELINE_RATIO = 0.5;
/** Without a baseline: a training loss that fell by less than this fraction from epoch 1 is high bias. */
export const UNDERFIT_DROP = 0.5;
/** A layer's gradient norm growing this many times over the run, or above the absolute bound, is exploding. */
export const EXPLODING_GROWTH = 100;
export const EXPLODING_NORM = 1e3;
/** The first layer's gradient this many times smaller than the last layer's is vanishing. */
export const VANISHING_RATIO = 1e-3;
/** Updates above this fraction of the weights per step: a learning rate too high (healthy is about 1e-3). */
export const LARGE_UPDATE_RATIO = 0.1;
/** ReLU units never active on this fraction of the health batch: dying ReLUs. */
export const DEAD_RELU_FRACTION = 0.5;

const finite = (value: number | null | undefined): value is number =>
  value !== null && value !== undefined && Number.isFinite(value);

/** Least-squares slope over the mean of the last `window` finite values: relative change per epoch. */
export function relativeTrend(values: readonly (number | null)[], window = TREND_WINDOW): number | null {
  const points = values
    .map((value, x) => ({ x, value }))
    .filter((p): p is { x: number; value: number } => finite(p.value))
    .slice(-window);
  if (points.length < 2) return null;
  const n = points.length;
  const meanX = points.reduce((a, p) => a + p.x, 0) / n;
  const meanY = points.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - meanX) * (p.value - meanY);
    sxx += (p.x - meanX) ** 2;
  }
  if (sxx === 0 || meanY === 0) return null;
  return sxy / sxx / Math.abs(meanY);
}

const lastFinite = (values: readonly (number | null)[]): number | null => {
  for (let i = values.length - 1; i >= 0; i--) if (finite(values[i])) return values[i]!;
  return null;
};

function minWithIndex(values: readonly (number | null)[]): { value: number; index: number } | null {
  let best: { value: number; index: number } | null = null;
  values.forEach((value, index) => {
    if (finite(value) && (best === null || value < best.value)) best = { value, index };
  });
  return best;
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(Math.abs(fraction) < 0.1 ? 1 : 0)}%`;
const num = (value: number) => String(Number(value.toPrecision(3)));

function healthEvidence(health: LayerHealthSeries[]) {
  const gradientNorms = health.map((layer) => {
    const values = layer.gradientNorm.filter(finite);
    return {
      layer: layer.layer,
      first: values[0] ?? null,
      last: values.at(-1) ?? null,
      max: values.length ? Math.max(...values) : null,
    };
  });
  const withGradients = gradientNorms.filter((g) => g.last !== null);
  const first = withGradients[0];
  const last = withGradients.at(-1);
  const gradientRatioFirstToLast =
    withGradients.length >= 2 && first && last && last.last! > 0 ? first.last! / last.last! : null;
  const largestAtEnd = (pick: (layer: LayerHealthSeries) => (number | null)[]) => {
    let best: { layer: string; value: number } | null = null;
    for (const layer of health) {
      const value = lastFinite(pick(layer));
      if (value !== null && (best === null || value > best.value)) best = { layer: layer.layer, value };
    }
    return best;
  };
  return {
    gradientNorms,
    gradientRatioFirstToLast,
    maxUpdateRatio: largestAtEnd((layer) => layer.updateRatio),
    maxDeadFraction: largestAtEnd((layer) => layer.deadFraction),
  };
}

const NEXT_STEPS: Record<DiagnosisVerdict, string[]> = {
  'insufficient-data': ['Train for at least 3 epochs so the curves can be read.'],
  diverged: [
    'Lower the learning rate (try 10× smaller).',
    'Clip gradients: training.clipNorm: 1.',
    'Check the inputs are scaled (preprocessing.scaling: standardize) and add batchNormalization layers.',
  ],
  'exploding-gradients': [
    'Clip gradients: training.clipNorm: 1 (or clipValue).',
    'Lower the learning rate.',
    'Initialise for the activation: kernelInitializer heNormal for relu, glorotUniform for tanh/sigmoid.',
    'Add batchNormalization layers between dense/conv layers.',
  ],
  'vanishing-gradients': [
    'Use relu-family activations in hidden layers instead of sigmoid/tanh.',
    'Initialise for the activation: kernelInitializer heNormal for relu, glorotUniform for tanh.',
    'Add batchNormalization layers; or use fewer, wider layers.',
  ],
  overfitting: [
    'Stop earlier: training.earlyStopping { monitor: val_loss, patience: 3, restoreBestWeights: true }.',
    'Regularise: kernelRegularizer { type: l2, alpha: 0.001 } and/or dropout layers (rate 0.2–0.5).',
    'Get more training data, or augment it (training.augmentation for images).',
    'Use a smaller model (fewer units or layers).',
  ],
  underfitting: [
    'Use a bigger model: more units per layer or more layers.',
    'Train longer, or raise the learning rate if the loss falls slowly.',
    'Lower the regularisation: smaller L2 alpha, less dropout.',
    'Check the inputs are scaled (preprocessing.scaling: standardize).',
  ],
  'still-improving': [
    'Train longer: the loss is still falling (more epochs, with earlyStopping to stop at the best).',
    'Or raise the learning rate a little, or use a schedule (cosineDecay) to get there faster.',
  ],
  'good-fit': [
    'Nothing urgent. To go further: a somewhat larger model with regularisation, or tune the learning rate and batch size.',
  ],
};

/** Reads the run's curves and returns the verdict, its evidence and next steps. */
export function diagnoseRun(input: DiagnosisInput): Diagnosis {
  const train = input.trainLoss;
  const validation = input.validationLoss ?? null;
  const hasValidation = validation !== null && validation.some(finite);
  const trainEpochs = train.filter(finite).length;
  const trendWindow = Math.min(TREND_WINDOW, Math.max(2, trainEpochs));
  const bestTrain = minWithIndex(train);
  const bestValidation = hasValidation ? minWithIndex(validation) : null;
  const finalTrainLoss = lastFinite(train);
  const finalValidationLoss = hasValidation ? lastFinite(validation) : null;
  const gap =
    finalTrainLoss !== null && finalValidationLoss !== null ? finalValidationLoss - finalTrainLoss : null;
  const relativeGap = gap !== null && finalTrainLoss! > 0 ? gap / finalTrainLoss! : null;
  const trainTrend = relativeTrend(train, trendWindow);
  const validationTrend = hasValidation ? relativeTrend(validation, trendWindow) : null;
  const baselineLoss = finite(input.baselineLoss) && input.baselineLoss > 0 ? input.baselineLoss : null;
  const lossVsBaseline =
    baselineLoss !== null && finalTrainLoss !== null ? finalTrainLoss / baselineLoss : null;
  const lastIndex = validation ? validation.length - 1 : -1;
  const epochOf = (index: number) => input.epochs[index] ?? index;
  const turned =
    bestValidation !== null &&
    finalValidationLoss !== null &&
    lastIndex - bestValidation.index >= 2 &&
    finalValidationLoss > bestValidation.value * (1 + OVERFIT_RISE);
  const health = healthEvidence(input.health ?? []);
  const metric = input.metric
    ? {
        name: input.metric.name,
        finalTrain: lastFinite(input.metric.train),
        finalValidation: input.metric.validation ? lastFinite(input.metric.validation) : null,
      }
    : null;
  const evidence: DiagnosisEvidence = {
    epochs: trainEpochs,
    finalTrainLoss,
    bestTrainLoss: bestTrain?.value ?? null,
    finalValidationLoss,
    bestValidationLoss: bestValidation?.value ?? null,
    bestValidationEpoch: bestValidation ? epochOf(bestValidation.index) : null,
    gap,
    relativeGap,
    validationTurnEpoch: turned ? epochOf(bestValidation.index) : null,
    trainTrend,
    validationTrend,
    trendWindow,
    baselineLoss,
    lossVsBaseline,
    metric,
    ...health,
  };

  const findings: Diagnosis['findings'] = [];
  const note = (kind: FindingKind, message: string) => findings.push({ kind, message });

  // Divergence: the status says so, or the loss stopped being a number, or it blew up.
  const lostNumber = train.some(finite) && !finite(train.at(-1));
  const blewUp =
    bestTrain !== null &&
    finalTrainLoss !== null &&
    finalTrainLoss > 3 * bestTrain.value &&
    finalTrainLoss > (train.find(finite) ?? Infinity);
  if (input.status === 'diverged' || lostNumber || blewUp) {
    note(
      'diverged',
      lostNumber || input.status === 'diverged'
        ? 'the training loss became NaN or infinite'
        : `the training loss rose to ${num(finalTrainLoss!)}, over 3× its best ${num(bestTrain!.value)}`,
    );
  }
  const exploding = health.gradientNorms.find(
    (g) =>
      (g.max !== null && g.max > EXPLODING_NORM) ||
      (g.first !== null && g.last !== null && g.first > 0 && g.last / g.first > EXPLODING_GROWTH),
  );
  if (exploding) {
    note(
      'exploding-gradients',
      `layer ${exploding.layer}: gradient norm ${num(exploding.first ?? 0)} → ${num(exploding.last ?? 0)} (largest ${num(exploding.max ?? 0)})`,
    );
  }
  if (health.gradientRatioFirstToLast !== null && health.gradientRatioFirstToLast < VANISHING_RATIO) {
    const first = health.gradientNorms.find((g) => g.last !== null)!;
    const last = [...health.gradientNorms].reverse().find((g) => g.last !== null)!;
    note(
      'vanishing-gradients',
      `the first layer's gradient (${first.layer}: ${num(first.last!)}) is ${num(1 / health.gradientRatioFirstToLast)}× smaller than the last layer's (${last.layer}: ${num(last.last!)})`,
    );
  }

  if (trainEpochs < 2 && findings.length === 0) {
    note('insufficient-data', `only ${trainEpochs} epoch${trainEpochs === 1 ? '' : 's'} recorded`);
  }

  if (trainEpochs >= 2) {
    if (turned) {
      note(
        'overfitting',
        `the validation loss was lowest at epoch ${epochOf(bestValidation.index) + 1} (${num(bestValidation.value)}) and rose to ${num(finalValidationLoss!)} (+${percent(finalValidationLoss! / bestValidation.value - 1)}) while the training loss went to ${num(finalTrainLoss!)}`,
      );
    } else if (
      finalValidationLoss !== null &&
      finalTrainLoss !== null &&
      finalTrainLoss > 0 &&
      finalValidationLoss >= OVERFIT_GAP_RATIO * finalTrainLoss &&
      (validationTrend === null || validationTrend > IMPROVING_TREND)
    ) {
      note(
        'overfitting',
        `the validation loss (${num(finalValidationLoss)}) is ${num(finalValidationLoss / finalTrainLoss)}× the training loss (${num(finalTrainLoss)}) and no longer falling`,
      );
    }
    // Improvement is read on the validation loss when there is one (that is what generalises).
    const watched = hasValidation ? validationTrend : trainTrend;
    const improving = watched !== null && watched <= IMPROVING_TREND && !turned;
    const firstTrain = train.find(finite) ?? null;
    const highBias =
      lossVsBaseline !== null
        ? lossVsBaseline > UNDERFIT_BASELINE_RATIO
        : firstTrain !== null &&
          finalTrainLoss !== null &&
          firstTrain > 0 &&
          finalTrainLoss > UNDERFIT_DROP * firstTrain;
    if (improving) {
      note(
        'still-improving',
        `the ${hasValidation ? 'validation' : 'training'} loss is still falling ${percent(-watched)} per epoch over the last ${trendWindow} epochs`,
      );
    }
    if (highBias && !findings.some((f) => f.kind === 'overfitting')) {
      note(
        'underfitting',
        lossVsBaseline !== null
          ? `the training loss (${num(finalTrainLoss!)}) is still ${percent(lossVsBaseline)} of a know-nothing model's (${num(baselineLoss!)})`
          : `the training loss fell only from ${num(firstTrain!)} to ${num(finalTrainLoss!)}`,
      );
    }
  }
  if (health.maxUpdateRatio && health.maxUpdateRatio.value > LARGE_UPDATE_RATIO) {
    note(
      'large-updates',
      `layer ${health.maxUpdateRatio.layer}: each update moves the weights by ${percent(health.maxUpdateRatio.value)} (about 0.1% is healthy): the learning rate may be too high`,
    );
  }
  if (health.maxDeadFraction && health.maxDeadFraction.value > DEAD_RELU_FRACTION) {
    note(
      'dead-relu',
      `layer ${health.maxDeadFraction.layer}: ${percent(health.maxDeadFraction.value)} of the ReLU units never activate`,
    );
  }

  const order: FindingKind[] = [
    'diverged',
    'exploding-gradients',
    'vanishing-gradients',
    'overfitting',
    'still-improving',
    'underfitting',
    'insufficient-data',
  ];
  const ranked = order.find((kind) => findings.some((f) => f.kind === kind));
  // A loss still falling fast with high bias: training longer is the first thing to try.
  const verdict: DiagnosisVerdict = (ranked as DiagnosisVerdict | undefined) ?? 'good-fit';
  if (verdict === 'good-fit') {
    note(
      'good-fit',
      hasValidation
        ? `training and validation losses have levelled off close together (${num(finalTrainLoss!)} vs ${num(finalValidationLoss!)})`
        : `the training loss has levelled off at ${num(finalTrainLoss!)} (no validation split to check generalisation)`,
    );
  }
  findings.sort((a, b) => (a.kind === verdict ? -1 : b.kind === verdict ? 1 : 0));

  const nextSteps = [...NEXT_STEPS[verdict]];
  if (verdict === 'overfitting' && evidence.bestValidationEpoch !== null) {
    nextSteps[0] += ` The best epoch here was ${evidence.bestValidationEpoch + 1}.`;
  }
  if (verdict === 'still-improving' && findings.some((f) => f.kind === 'underfitting')) {
    nextSteps.push('If it levels off high, use a bigger model.');
  }
  if (
    findings.some((f) => f.kind === 'large-updates') &&
    verdict !== 'diverged' &&
    verdict !== 'exploding-gradients'
  ) {
    nextSteps.push('Lower the learning rate: updates are large relative to the weights.');
  }
  if (findings.some((f) => f.kind === 'dead-relu')) {
    nextSteps.push(
      'Many ReLUs are dead: lower the learning rate, use heNormal initialisation, or try leakyRelu/elu.',
    );
  }
  const labels: Record<DiagnosisVerdict, string> = {
    'insufficient-data': 'Not enough epochs to diagnose',
    diverged: 'Diverged',
    'exploding-gradients': 'Exploding gradients',
    'vanishing-gradients': 'Vanishing gradients',
    overfitting: 'High variance (overfitting)',
    underfitting: 'High bias (underfitting)',
    'still-improving': 'Still improving',
    'good-fit': 'Good fit',
  };
  return {
    verdict,
    headline: `${labels[verdict]}: ${findings[0]!.message}.`,
    findings,
    evidence,
    nextSteps,
  };
}
