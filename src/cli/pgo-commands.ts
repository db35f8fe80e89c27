import type { CommandModule } from 'yargs';
import type { CommonArgs } from './commands';
import { processToolIo } from './pgo-tool-io';

/** Global options every pgo tool reads (declared on the top-level parser). */
interface GlobalToolOptions {
  readonly output: 'human' | 'json';
}

/**
 * The profile tools beside `pgo preprocess` (`merge`, …), as yargs command modules. Each handler
 * hands its exit-code promise to `setResult`, which main.ts awaits. The tools' own modules load
 * on first use, so other commands do not pay for protobufjs.
 */
export function pgoToolCommands(
  setResult: (result: Promise<number>) => void,
  /** Runs a tool that needs the workspace (a build session) with the common flags. */
  withSession: (argv: unknown, body: (c: CommonArgs) => Promise<number>) => Promise<number>,
): CommandModule<object, never>[] {
  const merge: CommandModule<object, never> = {
    command: 'merge <inputs..>',
    describe: 'merge CPU profiles as go tool pprof -proto does (optionally weighted/normalized)',
    builder: (y) =>
      y
        .positional('inputs', { type: 'string', array: true, demandOption: true })
        .option('o', {
          type: 'string',
          demandOption: true,
          describe: 'output profile (gzip pprof)',
        })
        .option('weight', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'FILE=W: multiply that input by W (repeatable)',
        })
        .option('normalize', {
          type: 'boolean',
          default: false,
          describe: 'scale every input to the same total (windows of different length)',
        }) as never,
    handler: (raw) => {
      const a = raw as unknown as GlobalToolOptions & {
        inputs: string[];
        o: string;
        weight: string[];
        normalize: boolean;
      };
      setResult(
        import('./pgo-merge-command').then(({ runMergeCommand }) =>
          runMergeCommand(
            { inputs: a.inputs, output: a.o, weights: a.weight, normalize: a.normalize },
            processToolIo(a.output),
          ),
        ),
      );
    },
  };
  const collect: CommandModule<object, never> = {
    command: 'collect <target>',
    describe:
      "fetch CPU profiles from running instances, merge them, write the binary's default.pgo",
    builder: (y) =>
      y
        .positional('target', { type: 'string', demandOption: true })
        .option('from', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'instance URL, http://host:port or its /debug/pprof/profile (repeatable)',
        })
        .option('seconds', { type: 'number', default: 30, describe: 'profiling window' })
        .option('min', {
          type: 'number',
          default: 1,
          describe: 'fewest instances that must answer',
        })
        .option('timeout', {
          type: 'number',
          default: 30,
          describe: 'seconds to wait beyond the window for an instance',
        })
        .option('o', {
          type: 'string',
          describe: "output (default: the target's default.pgo)",
        }) as never,
    handler: (raw) => {
      const a = raw as unknown as GlobalToolOptions & {
        target: string;
        from: string[];
        seconds: number;
        min: number;
        timeout: number;
        o?: string;
      };
      setResult(
        import('./pgo-collect-command').then(({ runCollectCommand }) =>
          runCollectCommand(
            {
              target: a.target,
              from: a.from,
              seconds: a.seconds,
              min: a.min,
              timeout: a.timeout,
              output: a.o,
            },
            processToolIo(a.output),
          ),
        ),
      );
    },
  };
  const doctor: CommandModule<object, never> = {
    command: 'doctor <target>',
    describe: 'walk the PGO diagnostic ladder for a go_binary and print a verdict with evidence',
    builder: (y) =>
      y.positional('target', { type: 'string', demandOption: true }).option('inline_diff', {
        choices: ['all', 'workspace', 'off'] as const,
        default: 'all' as const,
        describe:
          "compile the binary's packages with -m=2 with and without the profile: all, all but the standard library, or none",
      }) as never,
    handler: (raw) => {
      const a = raw as unknown as { target: string; inline_diff: 'all' | 'workspace' | 'off' };
      setResult(
        withSession(raw, async (c) =>
          (await import('./pgo-doctor-command')).runDoctorCommand(c, a.target, {
            inlineDiff: a.inline_diff,
          }),
        ),
      );
    },
  };
  const rename: CommandModule<object, never> = {
    command: 'rename',
    describe: 'rewrite function names of a profile after a refactor (package move, type rename)',
    builder: (y) =>
      y
        .option('i', { type: 'string', demandOption: true, describe: 'input profile' })
        .option('o', {
          type: 'string',
          demandOption: true,
          describe: 'output profile (gzip pprof)',
        })
        .option('map', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe:
            'OLD=NEW: a package path (and the packages under it) or a function/type name (repeatable)',
        })
        .option('map-file', {
          type: 'string',
          describe: 'a file of OLD=NEW lines (# comments)',
        }) as never,
    handler: (raw) => {
      const a = raw as unknown as GlobalToolOptions & {
        i: string;
        o: string;
        map: string[];
        mapFile?: string;
      };
      setResult(
        import('./pgo-rename-command').then(({ runRenameCommand }) =>
          runRenameCommand(
            { input: a.i, output: a.o, maps: a.map, mapFile: a.mapFile },
            processToolIo(a.output),
          ),
        ),
      );
    },
  };
  const diff: CommandModule<object, never> = {
    command: 'diff <base> <new>',
    describe: 'what changed from BASE to NEW, as pprof -top -diff_base, and an HTML flame graph',
    builder: (y) =>
      y
        .positional('base', { type: 'string', demandOption: true })
        .positional('new', { type: 'string', demandOption: true })
        .option('top', { type: 'number', default: 20, describe: 'rows to print (0: all)' })
        .option('html', {
          type: 'string',
          describe: 'also write a self-contained differential flame graph page here',
        }) as never,
    handler: (raw) => {
      const a = raw as unknown as GlobalToolOptions & {
        base: string;
        new: string;
        top: number;
        html?: string;
      };
      setResult(
        import('./pgo-diff-command').then(({ runDiffCommand }) =>
          runDiffCommand(
            { base: a.base, next: a.new, top: a.top, html: a.html },
            processToolIo(a.output),
          ),
        ),
      );
    },
  };
  const plan: CommandModule<object, never> = {
    command: 'plan <target>',
    describe:
      'what a profile refresh costs before paying it: actions re-keyed, cached, to execute; hot sets',
    builder: (y) =>
      y.positional('target', { type: 'string', demandOption: true }).option('profile', {
        type: 'string',
        describe: "the new profile (default: the binary's own, against the last build)",
      }) as never,
    handler: (raw) => {
      const a = raw as unknown as { target: string; profile?: string };
      setResult(
        withSession(raw, async (c) =>
          (await import('./pgo-plan-command')).runPlanCommand(c, a.target, a.profile),
        ),
      );
    },
  };
  return [merge, collect, doctor, rename, diff, plan];
}
