// nnlab runs list|show|rm, nnlab compare, nnlab models list|export
import { copyFileSync, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CompareAt, LabApi, RunStatus, RunSummary } from '../../api/contract.js';
import { num, str, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../context.js';
import { formatNumber, formatTime, table } from '../table.js';
import { oneId } from './datasets.js';

const json = { type: 'flag', description: 'print JSON on stdout' } as const;
const STATUSES: RunStatus[] = [
  'queued',
  'running',
  'completed',
  'failed',
  'diverged',
  'interrupted',
  'cancelled',
  'paused',
];

export const runsList: Command = {
  name: 'runs list',
  usage: 'nnlab runs list [--status S] [--tag T] [--limit N] [--json]',
  summary: 'list runs, newest first',
  options: {
    status: { type: 'string', choices: STATUSES, description: 'only runs with this status' },
    tag: { type: 'string', description: 'only runs with this tag' },
    dataset: { type: 'string', description: 'only runs on this dataset id' },
    search: { type: 'string', description: 'name or notes containing this' },
    sort: {
      type: 'string',
      choices: ['createdAt', 'name', 'status', 'startedAt', 'endedAt'],
      description: 'defaults to createdAt',
    },
    asc: { type: 'flag', description: 'oldest (or A) first' },
    limit: { type: 'int', description: 'defaults to 50' },
    offset: { type: 'int', description: 'defaults to 0' },
    json,
  },
  async run(context) {
    const { options } = context.args;
    const { api } = await context.lab();
    const result = await api.runs.list({
      filter: {
        ...(str(options, 'status') && { status: [str(options, 'status') as RunStatus] }),
        ...(str(options, 'tag') && { tags: [str(options, 'tag')!] }),
        ...(str(options, 'dataset') && { datasetId: str(options, 'dataset') }),
        ...(str(options, 'search') && { search: str(options, 'search') }),
      },
      sort: {
        by: (str(options, 'sort') as 'createdAt') ?? 'createdAt',
        direction: options.asc ? 'asc' : 'desc',
      },
      page: { offset: num(options, 'offset') ?? 0, limit: num(options, 'limit') ?? 50 },
    });
    if (options.json) {
      context.out(JSON.stringify(result));
      return EXIT_OK;
    }
    if (result.runs.length === 0) {
      context.out('No runs. Train one: nnlab train CONFIG');
      return EXIT_OK;
    }
    context.out(
      table(
        ['id', 'name', 'status', 'device', 'epochs', 'val loss', 'val acc', 'created', 'tags'],
        result.runs.map((run: RunSummary) => [
          run.id,
          run.name,
          run.status,
          run.device ?? '-',
          run.lastEpoch === null ? '0' : String(run.lastEpoch + 1),
          formatNumber(run.finalMetrics.validation?.loss),
          formatNumber(run.finalMetrics.validation?.accuracy),
          formatTime(run.createdAt),
          run.tags.join(','),
        ]),
      ),
    );
    if (result.total > result.runs.length)
      context.out(`(${result.runs.length} of ${result.total}; see --offset)`);
    return EXIT_OK;
  },
};

export const runsShow: Command = {
  name: 'runs show',
  usage: 'nnlab runs show ID [--json]',
  summary: "a run's status, final metrics, bias/variance diagnosis, evaluation and config",
  options: { json },
  async run(context) {
    const { api } = await context.lab();
    const id = await findRun(api, oneId(context.args.positionals, this.usage));
    const run = await api.runs.get({ id });
    if (context.args.options.json) {
      context.out(JSON.stringify(run));
      return EXIT_OK;
    }
    context.out(`${run.name} (${run.id}): ${run.status}`);
    context.out(`  device ${run.device ?? '-'}, seed ${run.seed}, dataset ${run.datasetId ?? '-'}`);
    context.out(
      `  created ${formatTime(run.createdAt)}, started ${formatTime(run.startedAt)}, ended ${formatTime(run.endedAt)}`,
    );
    if (run.error) context.out(`  error: ${run.error}`);
    if (run.tags.length) context.out(`  tags: ${run.tags.join(', ')}`);
    if (run.notes) context.out(`  notes: ${run.notes}`);
    for (const [split, values] of Object.entries(run.finalMetrics)) {
      context.out(
        `  ${split}: ${Object.entries(values)
          .map(([k, v]) => `${k} ${formatNumber(v)}`)
          .join(', ')}`,
      );
    }
    const { diagnosis } = await api.runs.diagnose({ runId: id });
    context.out(`diagnosis: ${diagnosis.headline}`);
    for (const finding of diagnosis.findings.slice(1)) context.out(`  also: ${finding.message}`);
    const e = diagnosis.evidence;
    if (e.epochs > 0) {
      const parts = [
        `train loss ${formatNumber(e.finalTrainLoss)} (best ${formatNumber(e.bestTrainLoss)})`,
        ...(e.finalValidationLoss !== null
          ? [
              `validation loss ${formatNumber(e.finalValidationLoss)} (best ${formatNumber(e.bestValidationLoss)} at epoch ${(e.bestValidationEpoch ?? 0) + 1})`,
              `gap ${formatNumber(e.gap)}`,
            ]
          : []),
        ...(e.trainTrend !== null
          ? [`trend over the last ${e.trendWindow} epochs ${formatTrend(e.trainTrend)}/epoch`]
          : []),
      ];
      context.out(`  evidence: ${parts.join('; ')}`);
    }
    context.out('  next steps:');
    for (const step of diagnosis.nextSteps) context.out(`  - ${step}`);
    const { evaluation } = await api.runs.evaluation({ runId: id });
    if (evaluation) {
      context.out(
        `evaluation (${evaluation.split}, ${evaluation.samples} rows): accuracy ${formatNumber(evaluation.accuracy)}, ` +
          `ROC AUC ${formatNumber(evaluation.roc.auc)}, average precision ${formatNumber(evaluation.precisionRecall.averagePrecision)}`,
      );
      context.out(
        table(
          ['true \\ predicted', ...evaluation.classNames],
          evaluation.confusionMatrix.map((row, i) => [evaluation.classNames[i]!, ...row.map(String)]),
        ).replace(/^/gm, '  '),
      );
    }
    context.out('config:');
    context.out(JSON.stringify(run.config, null, 2).replace(/^/gm, '  '));
    return EXIT_OK;
  },
};

export const runsRemove: Command = {
  name: 'runs rm',
  usage: 'nnlab runs rm ID',
  summary: 'delete a run, its metrics and checkpoints',
  options: {},
  async run(context) {
    const { api } = await context.lab();
    const id = await findRun(api, oneId(context.args.positionals, this.usage));
    await api.runs.delete({ id });
    context.out(`Deleted run ${id}.`);
    return EXIT_OK;
  },
};

export const compare: Command = {
  name: 'compare',
  usage: 'nnlab compare ID ID... [--at last|best|EPOCH] [--metric SPLIT/NAME] [--json]',
  summary: 'compare runs: metrics at an epoch and the config options that differ',
  options: {
    at: { type: 'string', description: "'last' (default), 'best' (by --metric), or an epoch number" },
    metric: { type: 'string', description: "for --at best: defaults to 'validation/loss'" },
    json,
  },
  async run(context) {
    const { positionals, options } = context.args;
    if (positionals.length < 1) throw new UsageError('Give the ids of the runs to compare.', this.usage);
    const { api } = await context.lab();
    const runIds = await Promise.all(positionals.map((key) => findRun(api, key)));
    const result = await api.compare.runs({
      runIds,
      at: parseAt(str(options, 'at'), str(options, 'metric')),
    });
    if (options.json) {
      context.out(JSON.stringify(result));
      return EXIT_OK;
    }
    const keys = [
      ...new Set(
        result.metricsAt.flatMap((m) =>
          Object.entries(m.metrics).flatMap(([s, v]) => Object.keys(v).map((n) => `${s}/${n}`)),
        ),
      ),
    ].sort();
    context.out(
      table(
        ['metric', ...result.runs.map((run) => `${run.name} (${run.id.slice(0, 8)})`)],
        [
          ['epoch', ...result.metricsAt.map((m) => (m.epoch === null ? '-' : String(m.epoch)))],
          ...keys.map((key) => {
            const [split, name] = key.split('/') as [string, string];
            return [key, ...result.metricsAt.map((m) => formatNumber(m.metrics[split]?.[name]))];
          }),
        ],
      ),
    );
    context.out('');
    if (result.configDiff.length === 0) context.out('The configs are the same.');
    else
      context.out(
        table(
          ['config', ...result.runs.map((run) => run.id.slice(0, 8))],
          result.configDiff.map((d) => [
            d.path,
            ...d.values.map((v) => (v === null ? '-' : JSON.stringify(v))),
          ]),
        ),
      );
    return EXIT_OK;
  },
};

function formatTrend(trend: number): string {
  return `${trend >= 0 ? '+' : ''}${(trend * 100).toFixed(1)}%`;
}

function parseAt(at: string | undefined, metric: string | undefined): CompareAt {
  if (at === undefined || at === 'last') return { kind: 'last' };
  if (at === 'best') {
    const [split, name] = (metric ?? 'validation/loss').split('/');
    if (!split || !name)
      throw new UsageError(`--metric is SPLIT/NAME (e.g. validation/loss), got '${metric}'.`);
    return { kind: 'best', metric: { split, name } };
  }
  if (/^\d+$/.test(at)) return { kind: 'epoch', epoch: Number(at) };
  throw new UsageError(`--at is 'last', 'best' or an epoch number, got '${at}'.`);
}

export const modelsList: Command = {
  name: 'models list',
  usage: 'nnlab models list [--json]',
  summary: 'list saved models',
  options: { json },
  async run(context) {
    const { api } = await context.lab();
    const { models } = await api.models.list();
    if (context.args.options.json) context.out(JSON.stringify(models));
    else if (models.length === 0) context.out('No saved models.');
    else
      context.out(
        table(
          ['id', 'name', 'run', 'task', 'created'],
          models.map((m) => [m.id, m.name, m.runId ?? '-', m.task ?? '-', formatTime(m.createdAt)]),
        ),
      );
    return EXIT_OK;
  },
};

export const modelsExport: Command = {
  name: 'models export',
  usage: 'nnlab models export ID|NAME [--out PATH]',
  summary: "copy a saved model's file out of the lab",
  options: {
    out: { type: 'string', description: "the destination; defaults to the model's file name here" },
  },
  async run(context) {
    const key = oneId(context.args.positionals, this.usage);
    const { host } = await context.lab();
    const file = host.runs?.modelFile(key);
    if (!file || !existsSync(file)) throw new UsageError(`No saved model '${key}'. See: nnlab models list`);
    const destination = resolve(context.io.cwd, str(context.args.options, 'out') ?? basename(file));
    copyFileSync(file, destination);
    context.out(`Exported ${key} to ${destination}`);
    return EXIT_OK;
  },
};

/** A run by id, unique id prefix, or name. */
export async function findRun(api: LabApi, key: string): Promise<string> {
  try {
    return (await api.runs.get({ id: key })).id;
  } catch {
    const { runs } = await api.runs.list({ page: { offset: 0, limit: 1000 } });
    const matches = runs.filter((run) => run.id.startsWith(key) || run.name === key);
    if (matches.length === 1) return matches[0]!.id;
    if (matches.length > 1)
      throw new UsageError(`'${key}' matches ${matches.length} runs; give more of the id.`);
    throw new UsageError(`No run '${key}'. See: nnlab runs list`);
  }
}
