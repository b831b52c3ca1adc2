// A small argument parser: positionals, `--flag`, `--option value` and `--option=value`, checked
// against what each command accepts so a typo is an error that names it, not a silent default.

/** Bad usage or bad input: the CLI prints the message (and a hint) and exits with 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** A flag takes no value; anything else takes exactly one. */
  type: 'flag' | 'string' | 'int' | 'number';
  /** For string options: the values allowed. */
  choices?: readonly string[];
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type ParsedOptions = Record<string, string | number | boolean | undefined>;

export interface ParsedArgs {
  positionals: string[];
  options: ParsedOptions;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: OptionSpecs = {
  'data-dir': {
    type: 'string',
    description: 'the data folder (database and artifacts); defaults to NNLAB_HOME, then the per-user folder',
  },
  help: { type: 'flag', description: 'show help for the command' },
};

export function parseArgs(argv: readonly string[], specs: OptionSpecs, command: string): ParsedArgs {
  const all = { ...COMMON_OPTIONS, ...specs };
  const positionals: string[] = [];
  const options: ParsedOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
        if (arg === '-h') {
          options.help = true;
          continue;
        }
        throw new UsageError(`Unknown option '${arg}' for '${command}'.`, optionList(all));
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = all[name];
    if (!spec) throw new UsageError(`Unknown option '--${name}' for '${command}'.`, optionList(all));
    if (spec.type === 'flag') {
      if (eq >= 0) throw new UsageError(`The option --${name} takes no value.`);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`The option --${name} needs a value.`);
      i++;
    }
    options[name] = convert(name, spec, value);
  }
  return { positionals, options };
}

function convert(name: string, spec: OptionSpec, value: string): string | number {
  if (spec.type === 'int' || spec.type === 'number') {
    const number = Number(value);
    if (
      value.trim() === '' ||
      !Number.isFinite(number) ||
      (spec.type === 'int' && !Number.isInteger(number))
    ) {
      throw new UsageError(
        `The option --${name} needs ${spec.type === 'int' ? 'an integer' : 'a number'}, got '${value}'.`,
      );
    }
    return number;
  }
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(`The option --${name} is '${value}'; allowed: ${spec.choices.join(', ')}.`);
  }
  return value;
}

export function optionList(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const value =
      spec.type === 'flag'
        ? ''
        : spec.choices
          ? ` ${spec.choices.join('|')}`
          : ` ${spec.type === 'string' ? 'VALUE' : 'N'}`;
    return [`  --${name}${value}`, spec.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return 'Options:\n' + rows.map(([left, right]) => left.padEnd(width) + right).join('\n');
}

export function str(options: ParsedOptions, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

export function num(options: ParsedOptions, name: string): number | undefined {
  const value = options[name];
  return typeof value === 'number' ? value : undefined;
}
