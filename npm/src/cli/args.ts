/**
 * A small argument parser with Go pflag's conventions, so `flux bootstrap git` command lines work
 * unchanged: `--flag=value`, `--flag value`, `--bool`, `--bool=false`, comma-separated lists that
 * also accumulate when repeated, and one-letter shorthands (`-n flux-system`).
 */
import { FluxAzdoError } from '../errors.js';

export type FlagType = 'string' | 'bool' | 'list' | 'int';

export interface FlagSpec {
  name: string;
  type: FlagType;
  short?: string;
  /** The default as Flux shows it in `--help`. */
  default?: string | boolean | number | string[];
  help: string;
  /** The value is a secret: never echoed back in errors. */
  secret?: boolean;
  /** Accepted for compatibility with `flux`, refused with this reason when used. */
  unsupported?: string;
  /**
   * The value is a path: `true`/`false` is refused, since `--export=false` meant as a boolean
   * would otherwise write into a folder named `false`.
   */
  path?: boolean;
}

export type FlagValue = string | boolean | number | string[];

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, FlagValue>;
  /** Flags the user set explicitly (defaults excluded). */
  given: Set<string>;
}

function usage(message: string, option?: string): FluxAzdoError {
  return new FluxAzdoError('USAGE', message, option === undefined ? {} : { option });
}

function parseBool(spec: FlagSpec, raw: string): boolean {
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(raw)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(raw)) return false;
  throw usage(`invalid value ${JSON.stringify(raw)} for --${spec.name}: expected true or false`, spec.name);
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const values = new Map<string, FlagValue>();
  const given = new Set<string>();
  const positionals: string[] = [];
  for (const spec of specs) {
    if (spec.default !== undefined) values.set(spec.name, Array.isArray(spec.default) ? [...spec.default] : spec.default);
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      spec = byName.get(name);
      if (!spec) throw usage(`unknown flag --${name}; see --help for the flags this command takes`, name);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const short = arg.slice(1, 2);
      spec = byShort.get(short);
      if (!spec) throw usage(`unknown shorthand flag -${short}; see --help`, short);
      const rest = arg.slice(2);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    } else {
      positionals.push(arg);
      continue;
    }
    if (spec.unsupported) throw usage(`--${spec.name} is not supported by flux-azdo: ${spec.unsupported}`, spec.name);

    let raw: string | undefined = inline;
    if (spec.type === 'bool') {
      values.set(spec.name, raw === undefined ? true : parseBool(spec, raw));
      given.add(spec.name);
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw usage(`flag --${spec.name} needs a value`, spec.name);
      raw = argv[++i] as string;
    }
    if (spec.path && /^(true|false)$/i.test(raw)) {
      throw usage(`invalid value ${JSON.stringify(raw)} for --${spec.name}: it takes a path, not true or false`, spec.name);
    }
    switch (spec.type) {
      case 'string':
        values.set(spec.name, raw);
        break;
      case 'int': {
        const n = Number(raw);
        if (!Number.isInteger(n)) {
          throw usage(`invalid value ${JSON.stringify(raw)} for --${spec.name}: expected a whole number`, spec.name);
        }
        values.set(spec.name, n);
        break;
      }
      case 'list': {
        const items = raw === '' ? [] : raw.split(',').map((s) => s.trim());
        const previous = given.has(spec.name) ? (values.get(spec.name) as string[]) : [];
        values.set(spec.name, [...previous, ...items]);
        break;
      }
    }
    given.add(spec.name);
  }
  return { positionals, values, given };
}

export function str(args: ParsedArgs, name: string): string {
  const v = args.values.get(name);
  return typeof v === 'string' ? v : '';
}
export function bool(args: ParsedArgs, name: string): boolean {
  return args.values.get(name) === true;
}
export function list(args: ParsedArgs, name: string): string[] {
  const v = args.values.get(name);
  return Array.isArray(v) ? v : [];
}
export function int(args: ParsedArgs, name: string): number | undefined {
  const v = args.values.get(name);
  return typeof v === 'number' ? v : undefined;
}

export function formatHelp(specs: readonly FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.unsupported)
    .map((s) => {
      const names = (s.short ? `-${s.short}, ` : '    ') + `--${s.name}`;
      const type = s.type === 'bool' ? '' : ` ${s.type === 'list' ? 'strings' : s.type}`;
      const def =
        s.default === undefined || s.default === '' || (Array.isArray(s.default) && s.default.length === 0)
          ? ''
          : ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})`;
      return [`  ${names}${type}`, `${s.help}${def}`];
    });
  const width = Math.max(...rows.map((r) => (r[0] as string).length)) + 2;
  return rows.map(([a, b]) => (a as string).padEnd(width) + b).join('\n');
}
