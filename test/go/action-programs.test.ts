import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Action, programPath } from '../../src/actions';
import type { BuildNode } from '../../src/analysis/build-graph';
import type { BuildEvent } from '../../src/events';
import { builderAction, builderInput, builderSources } from '../../src/go/builder-action';
import { compileAction, compileNeedsBuilder } from '../../src/go/compile-action';
import { linkAction } from '../../src/go/link-action';
import { testRunAction } from '../../src/go/test-run-action';
import { type Session, analyze, openSession } from '../../src/orchestration';
import { genericAction } from '../../src/orchestration/generic-action';
import { type Digest, sha256, unreachable } from '../../src/util';

// Remote execution needs every step of every action to be a process whose program is a declared
// input. This derives the action of every node of the real //examples/... graphs (builds and
// tests; dependency outputs stand in as fixed digests: they change keys, not steps) and checks it.

const ROOT = path.resolve(__dirname, '../..');
let tmp: string;
let session: Session;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-programs-test-'));
  const opened = await openSession({
    cwd: ROOT,
    diskCache: path.join(tmp, 'cache'),
    jobs: 1,
    keepGoing: false,
    events: { emit: (_e: BuildEvent) => undefined },
    signal: new AbortController().signal,
    maxCacheBytes: 1 << 30,
  });
  if (!opened.ok) throw new Error(JSON.stringify(opened.failure));
  session = opened.value;
}, 120_000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const DEP = sha256('a dependency output') as Digest;
const BUILDER = builderInput(sha256('the builder') as Digest);

function actionOf(node: BuildNode): Action {
  switch (node.kind) {
    case 'compile':
      return compileAction(
        {
          ...node.unit,
          deps: node.deps.map((d) => ({ importPath: d.importPath, exportData: DEP })),
          profile: node.config.pgo?.compilerInput,
        },
        session.sdk,
        node.config.platform,
        node.owner,
        session.includeFiles,
        compileNeedsBuilder(node.unit) ? BUILDER : undefined,
      );
    case 'link':
      return linkAction(
        {
          mainImportPath: node.mainImportPath,
          mainArchive: DEP,
          deps: node.deps.map((d) => ({ importPath: d.importPath, archive: DEP })),
          buildInfo: node.buildInfo,
          defaultGodebug: node.defaultGodebug,
          stripDebug: node.stripDebug,
          ldflags: node.ldflags,
        },
        session.sdk,
        node.config.platform,
        node.owner,
      );
    case 'test-run':
      return testRunAction(
        {
          pkgDir: node.dir,
          binary: DEP,
          binaryName: node.binaryName,
          dataFiles: node.dataFiles,
          args: node.args,
        },
        node.config.platform,
        node.owner,
      );
    case 'generic':
      return genericAction(node, () => ({ digest: DEP, size: 0 }));
    default:
      return unreachable(node);
  }
}

/** Every step's program, checked against the action's declared inputs. */
function undeclaredPrograms(action: Action): string[] {
  const inputs = new Map(action.inputs.map((i) => [i.path, i]));
  const bad: string[] = [];
  for (const step of action.steps) {
    const program = programPath(step);
    const input = program === undefined ? undefined : inputs.get(program);
    if (step.kind !== 'spawn' || input === undefined || input.executable !== true)
      bad.push(`${action.mnemonic} ${action.description}: ${step.argv[0] ?? ''}`);
  }
  return bad;
}

describe('every action of //examples/... runs only declared programs', () => {
  test.each([
    ['build', undefined],
    ['test', { args: [] }],
  ] as const)(
    '%s',
    async (_command, tests) => {
      const analysed = await analyze(session, ['//examples/...'], tests);
      if (!analysed.ok) throw new Error(JSON.stringify(analysed.failure));
      const actions = [...analysed.value.graph.nodes.values()].map(actionOf);
      const kinds = new Set(actions.map((a) => a.mnemonic));
      expect(kinds).toContain('GoCompile');
      expect(kinds).toContain('GoLink');
      if (tests !== undefined) expect(kinds).toContain('GoTestRun');
      // runtime, internal/bytealg, math/big, …: the builder's pack runs in some of them.
      const packs = actions.filter((a) => a.steps.some((s) => s.argv[1] === 'pack'));
      expect(packs.length).toBeGreaterThan(5);
      expect(actions.flatMap(undeclaredPrograms)).toEqual([]);
      // Tools are declared by the digests the SDK was pinned with.
      const compile = actions.find((a) => a.mnemonic === 'GoCompile');
      const tool = compile?.inputs.find((i) => i.path.endsWith('/compile'));
      expect(tool?.digest).toBe(session.sdk.toolDigests.compile);
    },
    300_000,
  );

  test('the builder action too', async () => {
    const action = builderAction(
      await builderSources(session.digester),
      session.sdk,
      sha256('go') as Digest,
    );
    expect(undeclaredPrograms(action)).toEqual([]);
    expect(action.outputs).toEqual(['_out/builder']);
  });
});
