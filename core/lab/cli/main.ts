// The nnlab command line: finds the command, parses its options, opens the lab on first use, and
// turns every failure into a clear message and an exit code (0 success, 1 a run that failed or
// diverged, 2 bad usage or bad input).
import { LabError, type LabApi } from '../api/contract.js';
import { openLabHost, type LabHost } from '../api/host.js';
import { optionList, parseArgs, str, UsageError } from './args.js';
import { datasetsImport, datasetsList, datasetsRemove, datasetsShow } from './commands/datasets.js';
import { serve } from './commands/serve.js';
import {
  EXIT_OK,
  EXIT_RUN_FAILED,
  EXIT_USAGE,
  type CliContext,
  type CliIo,
  type Command,
} from './context.js';
import { resolveDataDir } from '../paths.js';
import { extraCommands, runsFactory } from './registry.js';

const commands: Command[] = [
  datasetsImport,
  datasetsList,
  datasetsShow,
  datasetsRemove,
  ...extraCommands,
  serve,
];

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.usage.length)) + 2;
  return [
    'nnlab: the NN Lab command line',
    '',
    'Usage:',
    ...commands.map((c) => `  ${c.usage.padEnd(width)}${c.summary}`),
    '',
    'Every command takes --data-dir DIR (or NNLAB_HOME); the default is the per-user folder the',
    'desktop app uses. `nnlab COMMAND --help` shows its options.',
    'Exit codes: 0 success, 1 a run that failed or diverged, 2 bad usage or bad input.',
  ].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const two = `${argv[0]} ${argv[1]}`;
  const byTwo = commands.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = commands.find((c) => c.name === argv[0]);
  return byOne && { command: byOne, rest: argv.slice(1) };
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const out = (text: string) => void io.stdout.write(text + '\n');
  const err = (text: string) => void io.stderr.write(text + '\n');
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? err : out)(helpText());
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  let host: LabHost | undefined;
  try {
    const found = findCommand(argv);
    if (!found) {
      const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
      throw new UsageError(
        group.length
          ? `'${argv.slice(0, 2).join(' ')}' is not a command. Try: ${group.map((c) => c.name).join(', ')}.`
          : `Unknown command '${argv[0]}'.`,
        'Run nnlab --help for the list of commands.',
      );
    }
    const { command, rest } = found;
    const args = parseArgs(rest, command.options, command.name);
    if (args.options.help) {
      out(`${command.usage}\n\n${command.summary}\n\n${optionList({ ...command.options })}`);
      return EXIT_OK;
    }
    let api: LabApi | undefined;
    const context: CliContext = {
      io,
      args,
      out,
      err,
      lab: async () => {
        if (!host) {
          const flag = str(args.options, 'data-dir');
          const dataDir = resolveDataDir({ ...(flag && { dataDir: flag }), env: io.env, cwd: io.cwd });
          host = await openLabHost({ dataDir, ...(runsFactory && { createRuns: runsFactory }) });
          api = host.service.api();
        }
        return { host, api: api! };
      },
    };
    return await command.run(context);
  } catch (error) {
    return report(error, err);
  } finally {
    await host?.close();
  }
}

function report(error: unknown, err: (text: string) => void): number {
  if (error instanceof UsageError) {
    err(`nnlab: ${error.message}`);
    if (error.hint) err(error.hint);
    return EXIT_USAGE;
  }
  if (error instanceof LabError) {
    err(`nnlab: ${error.message}`);
    return error.code === 'internal' ? EXIT_RUN_FAILED : EXIT_USAGE;
  }
  const named = error as { name?: string; message?: string };
  if (named?.name === 'StoreVersionError' || named?.name === 'MigrationError') {
    err(`nnlab: ${named.message}`);
    return EXIT_USAGE;
  }
  err(`nnlab: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT_RUN_FAILED;
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
