// nnlab train CONFIG [--device auto|cpu|gpu] [--seed N] [--json]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LabEvent, RunDetail, RunStatus } from '../../api/contract.js';
import { progressFraction } from '../../api/progress.js';
import { num, str, UsageError } from '../args.js';
import { EXIT_OK, EXIT_RUN_FAILED, type Command } from '../context.js';
import { createProgressBar } from '../progress.js';
import { formatNumber } from '../table.js';

const TERMINAL: ReadonlySet<RunStatus> = new Set([
  'completed',
  'failed',
  'diverged',
  'cancelled',
  'interrupted',
]);

export const train: Command = {
  name: 'train',
  usage: 'nnlab train CONFIG [--device auto|cpu|gpu] [--seed N] [--json]',
  summary: 'train one run from a JSON or YAML config and wait for it to finish',
  options: {
    device: {
      type: 'string',
      choices: ['auto', 'cpu', 'gpu'],
      description: "defaults to the config's, else auto",
    },
    seed: { type: 'int', description: "defaults to the config's" },
    name: { type: 'string', description: "the run's name; defaults to the config's" },
    json: { type: 'flag', description: 'print one JSON summary on stdout' },
  },
  async run(context) {
    const { positionals, options } = context.args;
    if (positionals.length !== 1) throw new UsageError('Give one CONFIG file.', this.usage);
    const file = resolve(context.io.cwd, positionals[0]!);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`Cannot read the config file ${positionals[0]}.`);
    }
    const { api } = await context.lab();

    // Subscribe before creating, so no event of the new run can slip past.
    const seen: LabEvent[] = [];
    let runId: string | undefined;
    let finish: ((status: RunStatus) => void) | undefined;
    const finished = new Promise<RunStatus>((resolve) => (finish = resolve));
    const bar = createProgressBar(context.io.stderr);
    const latest = new Map<string, number | null>();
    const onEvent = (event: LabEvent) => {
      if (event.type === 'runs:status' && event.runId === runId && TERMINAL.has(event.status))
        finish!(event.status);
      if (event.type === 'runs:progress' && event.runId === runId) {
        const fraction = progressFraction(event);
        bar.update(fraction, progressLabel(event, latest));
      }
    };
    const unsubscribe = api.subscribe((event) => (runId ? onEvent(event) : seen.push(event)));
    const interrupt = () => {
      if (runId) void api.runs.cancel({ id: runId }).catch(() => undefined);
    };
    process.on('SIGINT', interrupt);
    try {
      const created = await api.runs.create({
        config: text,
        ...(num(options, 'seed') !== undefined && { seed: num(options, 'seed') }),
        ...(str(options, 'device') !== undefined && { device: str(options, 'device') as 'auto' }),
        ...(str(options, 'name') !== undefined && { name: str(options, 'name') }),
      });
      runId = created.id;
      seen.splice(0).forEach(onEvent);
      const current = await api.runs.get({ id: runId });
      if (TERMINAL.has(current.status)) finish!(current.status);
      if (!options.json) context.err(`Run ${runId} (${created.name}) started.`);
      const status = await finished;
      bar.finish();
      const detail = await api.runs.get({ id: runId });
      if (options.json) context.out(JSON.stringify(summaryOf(detail)));
      else printSummary(detail, context.out);
      return status === 'completed' ? EXIT_OK : EXIT_RUN_FAILED;
    } finally {
      process.off('SIGINT', interrupt);
      bar.finish();
      unsubscribe();
    }
  },
};

/**
 * The progress bar's label, most important first (the bar drops from the end when the terminal
 * is narrow): epoch, training loss and metrics, validation loss and metrics (Keras's `val_`
 * names), ETA, throughput. Each update carries only what was measured since the last one (a step's
 * batch loss, or an epoch's full logs), so `latest` keeps every value seen so far.
 */
export function progressLabel(
  event: Extract<LabEvent, { type: 'runs:progress' }>,
  latest: Map<string, number | null>,
): string[] {
  for (const [split, metrics] of Object.entries(event.metrics)) {
    for (const [name, value] of Object.entries(metrics)) {
      if (split === 'train' && name === 'learning_rate') continue;
      // The batch loss is the live training loss between epoch ends.
      const key =
        split === 'train' && name === 'batch_loss' ? 'loss' : split === 'validation' ? `val_${name}` : name;
      if (split === 'train' || split === 'validation') latest.set(key, value);
    }
  }
  const parts = [`epoch ${event.epoch + 1}${event.epochs ? `/${event.epochs}` : ''}`];
  const keys = [...latest.keys()];
  const order = [
    ...keys.filter((key) => key === 'loss'),
    ...keys.filter((key) => key !== 'loss' && !key.startsWith('val_')),
    ...keys.filter((key) => key === 'val_loss'),
    ...keys.filter((key) => key.startsWith('val_') && key !== 'val_loss'),
  ];
  for (const key of order) parts.push(`${shortName(key)} ${compact(latest.get(key))}`);
  if (event.etaSeconds !== undefined && event.etaSeconds !== null)
    parts.push(`ETA ${formatEta(event.etaSeconds)}`);
  if (event.samplesPerSecond !== null) parts.push(`${Math.round(event.samplesPerSecond)} samples/s`);
  return parts;
}

/** Keras's short names for the common metrics, so an 80-column bar holds train and validation. */
function shortName(key: string): string {
  return key.replace(/accuracy$/, 'acc');
}

/** Three significant digits: enough to watch a curve move. */
function compact(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const abs = Math.abs(value);
  if (Number.isInteger(value) || abs === 0) return String(value);
  return abs < 1e-3 || abs >= 1e6 ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}

function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The --json summary: the run's outcome and the final value of each metric. */
export function summaryOf(run: RunDetail) {
  const metrics: Record<string, Record<string, number | null>> = { train: {}, validation: {}, test: {} };
  for (const [split, values] of Object.entries(run.finalMetrics)) metrics[split] = { ...values };
  return {
    runId: run.id,
    status: run.status,
    device: run.device,
    epochs: run.epochTimesMs.length || (run.lastEpoch === null ? 0 : run.lastEpoch + 1),
    epochTimesMs: run.epochTimesMs,
    metrics,
    ...(run.error && { error: run.error }),
  };
}

function printSummary(run: RunDetail, out: (text: string) => void): void {
  const summary = summaryOf(run);
  const total = run.epochTimesMs.reduce((a, b) => a + b, 0);
  out(
    `Run ${run.id}: ${run.status} on ${run.device ?? 'no device'} after ${summary.epochs} epoch` +
      `${summary.epochs === 1 ? '' : 's'} (${(total / 1000).toFixed(1)} s)`,
  );
  if (run.error) out(`  ${run.error}`);
  for (const [split, values] of Object.entries(summary.metrics)) {
    const entries = Object.entries(values);
    if (entries.length) out(`  ${split}: ${entries.map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`);
  }
}
