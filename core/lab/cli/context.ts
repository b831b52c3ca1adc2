// What every command gets: its parsed arguments, the output streams, and the lab (opened on first
// use, closed by main when the command ends).
import type { LabApi } from '../api/contract.js';
import type { LabHost } from '../api/host.js';
import type { OptionSpecs, ParsedArgs } from './args.js';
import type { TerminalStream } from './progress.js';

export interface CliIo {
  stdout: TerminalStream;
  stderr: TerminalStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliContext {
  io: CliIo;
  args: ParsedArgs;
  /** The lab's host and its in-process LabApi. */
  lab(): Promise<{ host: LabHost; api: LabApi }>;
  /** Writes one line to stdout. */
  out(text: string): void;
  /** Writes one line to stderr. */
  err(text: string): void;
}

export interface Command {
  /** e.g. 'datasets import' */
  name: string;
  usage: string;
  summary: string;
  options: OptionSpecs;
  run(context: CliContext): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;
