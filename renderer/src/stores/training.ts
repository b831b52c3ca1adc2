// Training: the hyperparameter form, starting a run from the builder's model, and the live view
// of the run in progress (status, progress, ETA and every metric series). Series are plain arrays
// outside Vue's reactivity, appended in place; `version` tells charts to redraw.
import { defineStore, storeToRefs } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { progressFraction } from '../../../core/lab/api/progress.js';
import { lab } from '../api/index.js';
import type {
  LabEvent,
  LayerHealthSeries,
  MetricSeries,
  RunStatus,
  RunSummary,
} from '../../../core/lab/api/contract.js';
import {
  defaultHyperparameters,
  validateHyperparameters,
  type Hyperparameters,
} from '../model/hyperparameters.js';
import { buildRunConfig } from '../model/run-config.js';
import { useBuilderStore } from './builder.js';

export interface LiveSeries {
  split: string;
  name: string;
  x: number[];
  y: (number | null)[];
}

export interface Progress {
  epoch: number;
  epochs: number | null;
  step: number;
  samplesPerSecond: number | null;
  /** 0..1 when the planned epochs are known. */
  fraction: number;
  etaSeconds: number | null;
}

/** How long an active run may stay silent before the Train view reads its state itself. */
const SILENCE_MS = 4000;

const TERMINAL: RunStatus[] = ['completed', 'failed', 'diverged', 'interrupted', 'cancelled'];
export const isTerminal = (status: RunStatus) => TERMINAL.includes(status);

export const useTrainingStore = defineStore('training', () => {
  const builder = useBuilderStore();
  const { summary, datasetId, layers } = storeToRefs(builder);

  const form = ref<Hyperparameters>(defaultHyperparameters());
  const formErrors = computed(() => validateHyperparameters(form.value));
  /** The run shown in the Train view: the one just started, or one opened from the history. */
  const run = ref<RunSummary | null>(null);
  const starting = ref(false);
  const progress = ref<Progress>(emptyProgress());
  const version = ref(0);
  /** Per-layer health by epoch (gradient and weight norms, update ratios, dead ReLUs), replaced whole. */
  const health = shallowRef<LayerHealthSeries[]>([]);
  let series = new Map<string, LiveSeries>();
  /** The first progress update seen for this run: ETA comes from the rate since then, so the
   * trainer's start-up (loading data, compiling kernels) does not inflate it. */
  let rateOrigin: { timeMs: number; fraction: number } | null = null;

  const active = computed(() => (run.value && !isTerminal(run.value.status) ? run.value : null));
  const canStart = computed(
    () =>
      !starting.value &&
      datasetId.value !== null &&
      summary.value.valid &&
      Object.keys(formErrors.value).length === 0,
  );
  const blockers = computed(() => {
    const reasons: string[] = [];
    if (!datasetId.value) reasons.push('Choose a dataset in the model builder.');
    else if (!layers.value.length) reasons.push('Add layers in the model builder (or pick a preset).');
    else if (!summary.value.valid)
      reasons.push(summary.value.modelError ?? 'Fix the invalid layers in the model builder.');
    if (Object.keys(formErrors.value).length) reasons.push('Fix the highlighted hyperparameters.');
    return reasons;
  });

  /** The series shown in charts, keyed `split/name`. Not reactive: read after `version` changes. */
  function liveSeries(): Map<string, LiveSeries> {
    return series;
  }

  function reset(next: RunSummary | null) {
    run.value = next;
    series = new Map();
    progress.value = emptyProgress();
    rateOrigin = null;
    health.value = [];
    version.value++;
  }

  // Health arrives live, one epoch at a time (`runs:health` events); the stored record is read
  // when a run opens or ends.
  async function loadHealth(id: string) {
    const response = await lab.runs.health({ runId: id });
    if (run.value?.id === id) health.value = response.layers;
  }
  function appendHealth(event: LabEvent & { type: 'runs:health' }) {
    const byLayer = new Map(health.value.map((series) => [series.layer, series]));
    const next: LayerHealthSeries[] = [];
    for (const point of event.layers) {
      const old = byLayer.get(point.layer);
      const series: LayerHealthSeries = old
        ? { ...old }
        : {
            layer: point.layer,
            epoch: [],
            weightNorm: [],
            gradientNorm: [],
            updateRatio: [],
            deadFraction: [],
          };
      // A re-sent epoch (after a resume) replaces its point.
      const at = series.epoch.indexOf(event.epoch);
      const put = <T>(values: T[], value: T) => {
        const copy = values.slice();
        if (at >= 0) copy[at] = value;
        else copy.push(value);
        return copy;
      };
      series.weightNorm = put(series.weightNorm, point.weightNorm);
      series.gradientNorm = put(series.gradientNorm, point.gradientNorm);
      series.updateRatio = put(series.updateRatio, point.updateRatio);
      series.deadFraction = put(series.deadFraction, point.deadFraction);
      series.epoch = put(series.epoch, event.epoch);
      next.push(series);
    }
    health.value = next;
  }

  async function startRun() {
    if (!canStart.value) throw new Error(blockers.value.join(' ') || 'Training cannot start yet.');
    starting.value = true;
    try {
      const config = buildRunConfig({
        datasetId: datasetId.value!,
        layers: layers.value,
        form: form.value,
        dataset: builder.dataset,
      });
      const created = await lab.runs.create({
        config,
        ...(form.value.name.trim() ? { name: form.value.name.trim() } : {}),
        seed: form.value.seed,
        device: form.value.device,
        start: true,
      });
      reset(created);
      lastEventMs = Date.now();
      return created;
    } finally {
      starting.value = false;
    }
  }

  /** Shows an existing run: its series so far, then live updates if it is still going. */
  async function open(id: string) {
    const detail = await lab.runs.get({ id });
    reset(detail);
    lastEventMs = Date.now();
    await Promise.all([reloadSeries(id, detail.plannedEpochs), loadHealth(id)]);
  }

  async function reloadSeries(id: string, plannedEpochs: number | null = null) {
    const response = await lab.runs.series({ runId: id, axis: 'epoch', maxPoints: 5000 });
    if (run.value?.id !== id) return;
    series = new Map(
      response.series.map((s: MetricSeries) => [
        `${s.split}/${s.name}`,
        { split: s.split, name: s.name, x: s.x.slice(), y: s.value.slice() },
      ]),
    );
    const lastEpoch = Math.max(
      0,
      ...response.series.flatMap((s) => (s.x.length ? [s.x[s.x.length - 1]!] : [])),
    );
    const epochs = progress.value.epochs ?? plannedEpochs;
    const done = response.series.some((s) => s.x.length > 0) ? lastEpoch + 1 : 0;
    progress.value = {
      ...progress.value,
      epoch: lastEpoch,
      epochs,
      fraction: epochs ? Math.min(1, done / epochs) : progress.value.fraction,
    };
    version.value++;
  }

  function resetForm() {
    form.value = defaultHyperparameters();
  }

  async function pause() {
    if (run.value) run.value = await lab.runs.pause({ id: run.value.id });
  }
  async function resume() {
    if (run.value) run.value = await lab.runs.resume({ id: run.value.id });
  }
  async function cancel() {
    if (run.value) run.value = await lab.runs.cancel({ id: run.value.id });
  }

  /** Seconds left at the rate observed since the first update (null until two updates apart). */
  function estimateEta(fraction: number): number | null {
    const now = Date.now();
    if (fraction >= 1) return 0;
    if (!rateOrigin) {
      rateOrigin = { timeMs: now, fraction };
      return null;
    }
    const gained = fraction - rateOrigin.fraction;
    if (gained <= 0) return progress.value.etaSeconds;
    return ((now - rateOrigin.timeMs) / 1000 / gained) * (1 - fraction);
  }

  function record(epoch: number, metrics: Record<string, Record<string, number | null>>) {
    for (const [split, values] of Object.entries(metrics)) {
      for (const [name, value] of Object.entries(values)) {
        const key = `${split}/${name}`;
        let entry = series.get(key);
        if (!entry) series.set(key, (entry = { split, name, x: [], y: [] }));
        // Several updates within one epoch (step metrics) replace that epoch's point.
        if (entry.x.length && entry.x[entry.x.length - 1] === epoch) entry.y[entry.y.length - 1] = value;
        else {
          entry.x.push(epoch);
          entry.y.push(value);
        }
      }
    }
  }

  function onEvent(event: LabEvent) {
    const current = run.value;
    if (!current) return;
    if ('runId' in event && event.runId === current.id) lastEventMs = Date.now();
    if (event.type === 'runs:progress' && event.runId === current.id) {
      record(event.epoch, event.metrics);
      const epochs = event.epochs;
      // Epochs done plus the current one's steps (core/lab/api/progress.ts).
      const fraction = progressFraction(event) ?? 0;
      progress.value = {
        epoch: event.epoch,
        epochs,
        step: event.step,
        samplesPerSecond: event.samplesPerSecond,
        fraction,
        // The trainer's own estimate when the host passes it on; else the rate seen here.
        etaSeconds: event.etaSeconds ?? estimateEta(fraction),
      };
      if (current.status !== 'running') run.value = { ...current, status: 'running' };
      version.value++;
    } else if (event.type === 'runs:health' && event.runId === current.id) {
      appendHealth(event);
    } else if (event.type === 'runs:status' && event.runId === current.id) {
      run.value = { ...current, status: event.status, error: event.error };
      // Paused time is no training time: measure the rate afresh after a resume.
      if (event.status === 'paused') rateOrigin = null;
      if (isTerminal(event.status)) {
        if (event.status === 'completed') progress.value = { ...progress.value, fraction: 1, etaSeconds: 0 };
        // The host's stored series is the record: replace the live approximation with it.
        void reloadSeries(current.id).catch(() => undefined);
        void loadHealth(current.id).catch(() => undefined);
        void lab.runs.get({ id: current.id }).then(
          (detail) => {
            if (run.value?.id === detail.id) run.value = detail;
          },
          () => undefined,
        );
      }
    }
  }

  // A run trained by another process on the same data folder (the CLI, a second app) sends no
  // events to this host: while the shown run is active and silent, read its state every few seconds.
  let lastEventMs = 0;
  let polling = false;
  async function pollSilentRun() {
    const current = active.value;
    if (!current || polling || Date.now() - lastEventMs < SILENCE_MS) return;
    polling = true;
    try {
      const detail = await lab.runs.get({ id: current.id });
      if (run.value?.id !== detail.id || Date.now() - lastEventMs < SILENCE_MS) return;
      run.value = detail;
      await Promise.all([reloadSeries(detail.id, detail.plannedEpochs), loadHealth(detail.id)]);
    } catch {
      // The next poll tries again; a deleted run shows its last known state.
    } finally {
      polling = false;
    }
  }

  let unsubscribe: (() => void) | null = null;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  async function listen() {
    unsubscribe ??= lab.subscribe(onEvent);
    pollTimer ??= setInterval(() => void pollSilentRun(), SILENCE_MS / 2);
  }
  function stop() {
    unsubscribe?.();
    unsubscribe = null;
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  return {
    form,
    formErrors,
    run,
    active,
    starting,
    progress,
    version,
    health,
    canStart,
    blockers,
    liveSeries,
    startRun,
    resetForm,
    open,
    pause,
    resume,
    cancel,
    listen,
    stop,
  };
});

function emptyProgress(): Progress {
  return { epoch: 0, epochs: null, step: 0, samplesPerSecond: null, fraction: 0, etaSeconds: null };
}
