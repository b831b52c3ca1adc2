// nnlab datasets import|list|show|rm
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { DatasetSourceInput, DatasetSummary } from '../../api/contract.js';
import { SAMPLE_NAMES } from '../../datasets/index.js';
import { num, str, UsageError, type ParsedOptions } from '../args.js';
import { EXIT_OK, type Command } from '../context.js';
import { createProgressBar } from '../progress.js';
import { formatBytes, formatNumber, formatTime, table } from '../table.js';

const json = { type: 'flag', description: 'print JSON on stdout' } as const;

export const datasetsImport: Command = {
  name: 'datasets import',
  usage: 'nnlab datasets import PATH|sample:NAME [--name N] [--target COL] [options]',
  summary:
    'import a CSV/TSV file, an NPY pair (--labels), a folder of IDX image/label pairs or of class subfolders, ' +
    `or a sample (${SAMPLE_NAMES.join(', ')}, fashion-mnist)`,
  options: {
    name: { type: 'string', description: "the dataset's name; defaults to the file's or sample's" },
    target: {
      type: 'string',
      description: 'CSV: the target column (name or 0-based index); defaults to the last',
    },
    task: { type: 'string', choices: ['classification', 'regression'], description: 'defaults to inferred' },
    labels: { type: 'string', description: 'NPY: the labels file beside the features file' },
    rows: { type: 'int', description: 'samples: rows to generate; defaults to 400' },
    validation: { type: 'number', description: 'share of rows for validation; defaults to 0.1' },
    test: { type: 'number', description: 'share of rows for test; defaults to 0.1' },
    'split-seed': { type: 'int', description: 'seed of the split; defaults to 0' },
    scaling: {
      type: 'string',
      choices: ['none', 'standardize', 'minmax01', 'minmax11', 'divide255'],
      description: 'defaults to divide255 for images, standardize otherwise',
    },
    json,
  },
  async run(context) {
    const { positionals, options } = context.args;
    if (positionals.length !== 1) throw new UsageError('Give one PATH or sample:NAME to import.', this.usage);
    const source = sourceFor(positionals[0]!, options, context.io.cwd);
    const { api } = await context.lab();
    const bar = createProgressBar(context.io.stderr);
    const importId = `cli-${process.pid}-${Date.now()}`;
    const unsubscribe = api.subscribe((event) => {
      if (event.type !== 'datasets:import-progress' || event.importId !== importId) return;
      bar.update(
        event.total > 0 ? event.done / event.total : null,
        `${event.phase}${event.file ? ` ${event.file}` : ''}`,
      );
    });
    try {
      const split = {
        ...(num(options, 'validation') !== undefined && { validationFraction: num(options, 'validation') }),
        ...(num(options, 'test') !== undefined && { testFraction: num(options, 'test') }),
        ...(num(options, 'split-seed') !== undefined && { seed: num(options, 'split-seed') }),
      };
      const { dataset } = await api.datasets.import({
        source,
        importId,
        ...(str(options, 'name') !== undefined && { name: str(options, 'name') }),
        ...(Object.keys(split).length > 0 && { split }),
        ...(str(options, 'scaling') !== undefined && {
          scaling: str(options, 'scaling') as 'none',
        }),
      });
      bar.finish();
      if (options.json) context.out(JSON.stringify(dataset));
      else
        context.out(
          `Imported ${dataset.name} (${dataset.id}): ${dataset.rows} rows, ${dataset.task}, ` +
            `train/validation/test ${dataset.trainRows}/${dataset.validationRows}/${dataset.testRows}`,
        );
      return EXIT_OK;
    } finally {
      bar.finish();
      unsubscribe();
    }
  },
};

/** PATH or sample:NAME → a contract source, checked here so mistakes are usage errors. */
export function sourceFor(argument: string, options: ParsedOptions, cwd: string): DatasetSourceInput {
  if (argument.startsWith('sample:')) {
    const sample = argument.slice('sample:'.length);
    if (sample === 'fashion-mnist') return { kind: 'fashion-mnist' };
    if (!(SAMPLE_NAMES as readonly string[]).includes(sample)) {
      throw new UsageError(
        `No sample '${sample}'. Samples: ${[...SAMPLE_NAMES, 'fashion-mnist'].join(', ')}.`,
      );
    }
    return {
      kind: 'sample',
      sample: sample as (typeof SAMPLE_NAMES)[number],
      ...(num(options, 'rows') !== undefined && { rows: num(options, 'rows') }),
    };
  }
  const path = resolve(cwd, argument);
  if (!existsSync(path)) throw new UsageError(`No such file or folder: ${argument}`);
  const task = str(options, 'task') as 'classification' | 'regression' | undefined;
  if (statSync(path).isDirectory()) {
    const entries = readdirSync(path);
    if (entries.some((name) => /idx\d|-ubyte(\.gz)?$/i.test(name)))
      return { kind: 'idx-folder', folder: path };
    return { kind: 'image-folder', folder: path };
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.npy') {
    const labels = str(options, 'labels');
    if (!labels) throw new UsageError('An NPY features file needs --labels PATH (the labels .npy).');
    return { kind: 'npy', features: path, labels: resolve(cwd, labels), ...(task && { task }) };
  }
  const target = str(options, 'target');
  return {
    kind: 'csv',
    file: path,
    ...(target !== undefined && { target: /^\d+$/.test(target) ? Number(target) : target }),
    ...(task && { task }),
  };
}

export const datasetsList: Command = {
  name: 'datasets list',
  usage: 'nnlab datasets list [--json]',
  summary: 'list imported datasets, newest first',
  options: { json },
  async run(context) {
    const { api } = await context.lab();
    const { datasets } = await api.datasets.list();
    if (context.args.options.json) {
      context.out(JSON.stringify(datasets));
      return EXIT_OK;
    }
    if (datasets.length === 0) {
      context.out('No datasets yet. Import one: nnlab datasets import sample:xor');
      return EXIT_OK;
    }
    context.out(
      table(
        ['id', 'name', 'task', 'rows', 'shape', 'size', 'created'],
        datasets.map((d: DatasetSummary) => [
          d.id,
          d.name,
          d.task,
          String(d.rows),
          d.featureShape.join('×'),
          formatBytes(d.bytes),
          formatTime(d.createdAt),
        ]),
      ),
    );
    return EXIT_OK;
  },
};

export const datasetsShow: Command = {
  name: 'datasets show',
  usage: 'nnlab datasets show ID [--json]',
  summary: "a dataset's columns, class balance and first rows",
  options: { json, rows: { type: 'int', description: 'first rows to show; defaults to 5' } },
  async run(context) {
    const id = oneId(context.args.positionals, this.usage);
    const { api } = await context.lab();
    const dataset = await findDataset(api, id);
    const preview = await api.datasets.preview({
      id: dataset.id,
      rows: num(context.args.options, 'rows') ?? 5,
      samplesPerClass: 0,
    });
    if (context.args.options.json) {
      const { samples: _samples, ...rest } = preview;
      context.out(JSON.stringify(rest));
      return EXIT_OK;
    }
    const d = preview.dataset;
    context.out(`${d.name} (${d.id})`);
    context.out(
      `  ${d.task}, ${d.rows} rows of shape [${d.featureShape.join(', ')}], target '${d.targetName}', ` +
        `train/validation/test ${d.trainRows}/${d.validationRows}/${d.testRows}`,
    );
    context.out('');
    context.out(
      table(
        ['column', 'type', 'role', 'missing', 'min', 'mean', 'max'],
        preview.columns.map((c) => [
          c.name,
          c.type,
          c.role,
          String(c.missing),
          formatNumber(c.min),
          formatNumber(c.mean),
          formatNumber(c.max),
        ]),
      ),
    );
    if (preview.classBalance) {
      context.out('');
      context.out(
        table(
          ['class', 'total', 'train', 'validation', 'test'],
          preview.classBalance.map((c) => [c.className, c.total, c.train, c.validation, c.test].map(String)),
        ),
      );
    }
    context.out('');
    context.out(table(preview.firstRows.header, preview.firstRows.rows));
    return EXIT_OK;
  },
};

export const datasetsRemove: Command = {
  name: 'datasets rm',
  usage: 'nnlab datasets rm ID',
  summary: 'delete a dataset (runs keep their history)',
  options: {},
  async run(context) {
    const id = oneId(context.args.positionals, this.usage);
    const { api } = await context.lab();
    const dataset = await findDataset(api, id);
    await api.datasets.delete({ id: dataset.id });
    context.out(`Deleted dataset ${dataset.name} (${dataset.id}).`);
    return EXIT_OK;
  },
};

export function oneId(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError('Give exactly one id.', usage);
  return positionals[0]!;
}

/** By id, unique id prefix, or name. */
async function findDataset(
  api: Awaited<ReturnType<Parameters<Command['run']>[0]['lab']>>['api'],
  key: string,
) {
  const { datasets } = await api.datasets.list();
  const exact = datasets.find((d) => d.id === key);
  if (exact) return exact;
  const matches = datasets.filter((d) => d.id.startsWith(key) || d.name === key);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UsageError(
      `'${key}' matches ${matches.length} datasets: ${matches.map((d) => d.id).join(', ')}.`,
    );
  }
  throw new UsageError(`No dataset '${key}'. See: nnlab datasets list`);
}
