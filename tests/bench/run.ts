/**
 * `npm run bench [-- GROUP...]`: runs the benchmark groups in turn (all of them, or only those
 * named), then prints every result as tables and as JSON. A group that throws is reported and
 * the others still run, so one missing peer never hides the rest. Add a group to `groups`.
 *
 * Groups are imported lazily: a group's peers (tfjs, Dawn, a database) load only when it runs.
 */
import { printJson, printTable, type BenchRow } from './report.js';

type Group = () => Promise<BenchRow[]>;

const groups: Record<string, Group> = {
  matmul: async () => (await import('./matmul.js')).benchMatmul(),
  'mlp-step': async () => (await import('./mlp-step.js')).benchMlpStep(),
  training: async () => (await import('./training.js')).benchTraining(),
  'cnn-step': async () => (await import('./cnn-step.js')).benchCnnStep(),
  'rnn-step': async () => (await import('./rnn-step.js')).benchRnnStep(),
  webgpu: async () => (await import('./webgpu.js')).benchWebGPU(),
  datasets: async () => (await import('./datasets.js')).benchDatasetImport(),
  // Seeding 10,000 runs × 1,000 points takes about a minute; it runs last.
  store: async () => (await import('./store.js')).benchStore(),
};

const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = asked.filter((name) => !(name in groups));
if (unknown.length > 0) {
  console.error(`bench: unknown group ${unknown.join(', ')}; groups: ${Object.keys(groups).join(', ')}`);
  process.exit(2);
}

const rows: BenchRow[] = [];
const failures: string[] = [];
for (const [name, group] of Object.entries(groups)) {
  if (asked.length > 0 && !asked.includes(name)) continue;
  const started = performance.now();
  console.error(`bench: ${name}…`);
  try {
    rows.push(...(await group()));
    console.error(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push(`${name}: ${message}`);
    console.error(`bench: ${name} failed: ${message}`);
  }
}
printTable(rows);
printJson(rows);
if (failures.length > 0) {
  console.error(`\nbench: ${failures.length} group(s) failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
