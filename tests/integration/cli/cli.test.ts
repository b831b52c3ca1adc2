// The real `nnlab` launcher as a child process against a fresh NNLAB_HOME, as a person would run
// it after `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/nnlab.js', import.meta.url));
let home: string;

function nnlab(...args: string[]) {
  // Run from the temp folder: the launcher must not depend on the working directory.
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: home,
    env: { ...process.env, NNLAB_HOME: home, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'nnlab-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('nnlab datasets', () => {
  it('imports a sample into a fresh data folder, lists it, shows it and removes it', () => {
    const imported = nnlab('datasets', 'import', 'sample:xor', '--name', 'xor', '--json');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const dataset = JSON.parse(imported.stdout) as { id: string; name: string; rows: number };
    expect(dataset).toMatchObject({ name: 'xor', rows: 400 });
    expect(existsSync(join(home, 'nnlab.sqlite'))).toBe(true);

    const csv = join(home, 'houses.csv');
    writeFileSync(
      csv,
      'size,rooms,price\n' +
        Array.from({ length: 30 }, (_, i) => `${50 + i},${1 + (i % 4)},${100 + 3 * i}`).join('\n'),
    );
    const fromFile = nnlab('datasets', 'import', 'houses.csv', '--target', 'price');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/Imported houses .*30 rows, regression/);

    const list = nnlab('datasets', 'list', '--json');
    expect(list.code).toBe(0);
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((d) => d.name).sort();
    expect(names).toEqual(['houses', 'xor']);

    const show = nnlab('datasets', 'show', 'xor');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('classification, 400 rows');

    const removed = nnlab('datasets', 'rm', dataset.id);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Deleted dataset xor (${dataset.id})`);
  });

  it('exits with 2 and a clear message on bad usage and bad input', () => {
    const unknownOption = nnlab('datasets', 'import', 'sample:xor', '--colour', 'red');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--colour'");

    const badSample = nnlab('datasets', 'import', 'sample:nope');
    expect(badSample.code).toBe(2);
    expect(badSample.stderr).toMatch(/No sample 'nope'.*xor/);

    const missing = nnlab('datasets', 'import', 'missing.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No such file or folder: missing.csv');

    const badCsv = join(home, 'bad.csv');
    writeFileSync(badCsv, 'a,b\n1,2\n3\n');
    const malformed = nnlab('datasets', 'import', 'bad.csv');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/bad\.csv line 3/);

    // Through a symlink, as npm installs it in node_modules/.bin.
    const link = join(home, 'node_modules', '.bin', 'nnlab');
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(bin, link);
    const viaLink = spawnSync(process.execPath, [link, 'datasets', 'list', '--json'], {
      cwd: tmpdir(),
      env: { ...process.env, NNLAB_HOME: home },
      encoding: 'utf8',
    });
    expect(viaLink.status).toBe(0);

    const unknownCommand = nnlab('fly');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("Unknown command 'fly'");
  });
});

const tinyConfig = (learningRate: number) =>
  [
    'dataset: xor-train',
    'model:',
    '  layers:',
    '    - { type: dense, units: 8, activation: tanh }',
    '    - { type: dense, units: 2 }',
    'training:',
    `  optimizer: { type: adam, learningRate: ${learningRate} }`,
    '  epochs: 3',
    '  batchSize: 32',
    'device: cpu',
  ].join('\n');

interface TrainSummary {
  runId: string;
  status: string;
  device: string;
  epochs: number;
  epochTimesMs: number[];
  metrics: Record<'train' | 'validation' | 'test', Record<string, number | null>>;
}

describe('nnlab train, runs and compare', () => {
  it('refuses a bad config with exit 2, naming the bad option and the right one', () => {
    expect(nnlab('datasets', 'import', 'sample:xor', '--name', 'xor-train', '--rows', '200').code).toBe(0);
    writeFileSync(join(home, 'bad.yaml'), tinyConfig(0.05).replace('epochs: 3', 'epochz: 3'));
    const bad = nnlab('train', 'bad.yaml', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('training.epochz');
    expect(bad.stderr).toContain("did you mean 'epochs'");
    expect(nnlab('train', 'bad.yaml', '--device', 'tpu').stderr).toContain('allowed: auto, cpu, gpu');
  });

  it('trains, prints the JSON summary, lists, compares and removes runs', () => {
    writeFileSync(join(home, 'a.yaml'), tinyConfig(0.05));
    writeFileSync(join(home, 'b.yaml'), tinyConfig(0.01));
    const summaries = ['a.yaml', 'b.yaml'].map((file) => {
      const result = nnlab('train', file, '--seed', '3', '--json');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as TrainSummary;
    });
    for (const summary of summaries) {
      expect(summary).toMatchObject({ status: 'completed', device: expect.any(String), epochs: 3 });
      expect(summary.epochTimesMs).toHaveLength(3);
      expect(summary.metrics.train.loss).toEqual(expect.any(Number));
      expect(summary.metrics.validation.loss).toEqual(expect.any(Number));
      expect(summary.metrics.train.accuracy).toEqual(expect.any(Number));
      expect(Object.keys(summary.metrics)).toEqual(expect.arrayContaining(['train', 'validation', 'test']));
    }
    const [a, b] = summaries as [TrainSummary, TrainSummary];

    const list = nnlab('runs', 'list', '--json');
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as { runs: { id: string; status: string }[]; total: number };
    expect(listed.total).toBe(2);
    expect(listed.runs.map((run) => run.id).sort()).toEqual([a.runId, b.runId].sort());

    const compared = nnlab('compare', a.runId, b.runId, '--json');
    expect(compared.code).toBe(0);
    const result = JSON.parse(compared.stdout) as {
      configDiff: { path: string; values: unknown[] }[];
      metricsAt: { runId: string; epoch: number | null }[];
      series: { split: string; name: string; values: unknown[][] }[];
    };
    expect(result.configDiff).toContainEqual({
      path: 'training.optimizer.learningRate',
      values: [0.05, 0.01],
    });
    expect(result.metricsAt.map((m) => m.epoch)).toEqual([2, 2]);
    expect(result.series.find((s) => s.split === 'validation' && s.name === 'loss')?.values).toHaveLength(2);
    const best = nnlab('compare', a.runId, b.runId, '--at', 'best', '--metric', 'validation/accuracy');
    expect(best.code).toBe(0);
    expect(best.stdout).toContain('training.optimizer.learningRate');

    const show = nnlab('runs', 'show', a.runId.slice(0, 8));
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('completed');
    // The bias/variance diagnosis and the final evaluation on the test split.
    expect(show.stdout).toMatch(/diagnosis: .+\./);
    expect(show.stdout).toMatch(/evidence: train loss \d/);
    expect(show.stdout).toContain('next steps:');
    expect(show.stdout).toMatch(/evaluation \(test, \d+ rows\): accuracy/);
    const removed = nnlab('runs', 'rm', b.runId);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Deleted run ${b.runId}`);
  });
});

describe('nnlab serve', () => {
  it('prints a URL with a token, serves the API with it, refuses without it, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      cwd: home,
      env: { ...process.env, NNLAB_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const pageUrl = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
      });
      const url = new URL(pageUrl);
      const token = url.searchParams.get('token')!;
      const refused = await fetch(`${url.origin}/api/call/datasets:list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(401);
      const listed = await fetch(`${url.origin}/api/call/datasets:list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-nnlab-token': token },
        body: '{}',
      });
      expect(listed.status).toBe(200);
      expect(
        ((await listed.json()) as { datasets: { name: string }[] }).datasets.map((d) => d.name),
      ).toContain('houses');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
