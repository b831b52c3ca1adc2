// nnlab train CONFIG [--device auto|cpu|gpu] [--seed N] [--json]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LabEvent, RunDetail, RunStatus } from '../../api/contract.js';
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
    const onEvent = (event: LabEvent) => {
      if (event.type === 'runs:status' && event.runId === runId && TERMINAL.has(event.status))
        finish!(event.status);
      if (event.type === 'runs:progress' && event.runId === runId) {
        const fraction = event.epochs ? Math.min(1, (event.epoch + 1) / event.epochs) : null;
        bar.update(fraction, progressLabel(event));
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

function progressLabel(event: Extract<LabEvent, { type: 'runs:progress' }>): string {
  const parts = [`epoch ${event.epoch + 1}${event.epochs ? `/${event.epochs}` : ''}`];
  for (const [split, metrics] of Object.entries(event.metrics)) {
    for (const [name, value] of Object.entries(metrics))
      parts.push(`${split}/${name} ${formatNumber(value)}`);
  }
  return parts.join('  ');
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
