import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Action, actionKeyOf, actionKeyRecord } from '../../src/actions';
import type { BuildGraph, BuildNode, TestRunOptions } from '../../src/analysis';
import { nodeDeps } from '../../src/analysis';
import { analyze, describe as describeNode, openSession } from '../../src/orchestration';
import { genericAction } from '../../src/orchestration/generic-action';
import type { SessionOptions } from '../../src/orchestration/session';
import type { BuildEvent } from '../../src/events';
import {
  type Builder,
  builderAction,
  builderInput,
  builderSources,
} from '../../src/go/builder-action';
import { compileAction, compileNeedsBuilder } from '../../src/go/compile-action';
import { linkAction } from '../../src/go/link-action';
import { testRunAction } from '../../src/go/test-run-action';
import type { Digest } from '../../src/util';
import { REPO } from './harness';

/**
 * The golden action keys of the example monorepo: a refactoring of analysis (issue 9, the
 * GraphBuilder split) must leave every node and every action key byte-identical. Analysis only,
 * no compile: a dependency's output digest is stood in for by a digest of the dependency's own
 * key (and of which output it is: a compile's export data, which its importers' compiles read, or
 * its link object, which links read), so an action's key here is a function of everything its
 * real key is a function of (its own record, and its dependencies' keys, which determine their
 * outputs). The builder (the GoBuilder action compiles with assembly run) is keyed the same way,
 * listed as `builder`.
 *
 * `UPDATE_ACTION_KEYS=1 npx jest test/e2e/action-keys.test.ts` rewrites the golden file.
 */
const GOLDEN = path.join(REPO, 'test/fixtures/action-keys/examples.json');

interface KeyedAction {
  readonly id: string;
  readonly mnemonic: string;
  readonly description: string;
  readonly key: string;
}

interface Golden {
  /** The SDK the keys were computed with: they include its tools' and std sources' digests. */
  readonly goVersion: string;
  readonly actions: readonly KeyedAction[];
}

/** Which output of a dependency an action reads (a compile's two; the main one of the others). */
type DepOutput = 'main' | 'link-object';

/** The action of a node, derived as BuildRunner.actionFor derives it, from stand-in dep digests. */
function actionOf(
  node: BuildNode,
  depDigest: (id: string, output?: DepOutput) => Digest,
  sdk: Parameters<typeof compileAction>[1],
  includeFiles: Parameters<typeof compileAction>[4],
  builder: Builder,
): Action {
  switch (node.kind) {
    case 'compile':
      return compileAction(
        {
          ...node.unit,
          deps: node.deps.map((d) => ({
            importPath: d.importPath,
            exportData: depDigest(d.nodeId),
          })),
          profile: node.config.pgo?.compilerInput,
        },
        sdk,
        node.config.platform,
        describeNode(node),
        includeFiles,
        compileNeedsBuilder(node.unit) ? builder : undefined,
      );
    case 'link':
      return linkAction(
        {
          mainImportPath: node.mainImportPath,
          mainArchive: depDigest(node.mainNodeId, 'link-object'),
          deps: node.deps.map((d) => ({
            importPath: d.importPath,
            archive: depDigest(d.nodeId, 'link-object'),
          })),
          buildInfo: node.buildInfo,
          defaultGodebug: node.defaultGodebug,
          stripDebug: node.stripDebug,
          ldflags: node.ldflags,
        },
        sdk,
        node.config.platform,
        describeNode(node),
      );
    case 'test-run':
      return testRunAction(
        {
          pkgDir: node.dir,
          binary: depDigest(node.linkNodeId),
          binaryName: node.binaryName,
          dataFiles: node.dataFiles,
          args: node.args,
        },
        node.config.platform,
        describeNode(node),
      );
    case 'generic':
      return genericAction(node, (id) => ({ digest: depDigest(id), size: 0 }));
  }
}

async function keyedActions(
  patterns: readonly string[],
  tests: TestRunOptions | undefined,
  diskCache: string,
): Promise<{ goVersion: string; actions: KeyedAction[] }> {
  const events: BuildEvent[] = [];
  const opts: SessionOptions = {
    cwd: REPO,
    diskCache,
    jobs: 1,
    keepGoing: false,
    events: { emit: (e: BuildEvent) => void events.push(e) },
    signal: new AbortController().signal,
    maxCacheBytes: 1 << 30,
  };
  const session = await openSession(opts);
  if (!session.ok) throw new Error(JSON.stringify(session.failure, undefined, 2));
  const analysed = await analyze(session.value, patterns, tests);
  if (!analysed.ok) throw new Error(JSON.stringify(analysed.failure, undefined, 2));
  const graph: BuildGraph = analysed.value.graph;
  const sdk = session.value.sdk;
  const standIn = (key: string, output: DepOutput = 'main'): Digest =>
    createHash('sha256')
      .update(output === 'main' ? `output of ${key}` : `${output} of ${key}`)
      .digest('hex') as Digest;
  const goBuilder = builderAction(
    await builderSources(session.value.digester),
    sdk,
    await session.value.digester.digest(path.join(sdk.goroot, 'bin', 'go')),
  );
  const builderKey = actionKeyOf(actionKeyRecord(goBuilder, sdk.identity));
  const builder = builderInput(standIn(builderKey));
  const keys = new Map<string, string>();
  const keyOf = (id: string): string => {
    const known = keys.get(id);
    if (known !== undefined) return known;
    const node = graph.nodes.get(id);
    if (node === undefined) throw new Error(`node ${id} is not in the graph`);
    for (const dep of nodeDeps(node)) keyOf(dep);
    const action = actionOf(
      node,
      (dep, output) => standIn(keyOf(dep), output),
      sdk,
      session.value.includeFiles,
      builder,
    );
    const key = actionKeyOf(actionKeyRecord(action, sdk.identity));
    keys.set(id, key);
    return key;
  };
  const actions = [...graph.nodes.values()].map((node) => {
    const key = keyOf(node.id);
    return {
      id: node.id,
      mnemonic: actionOf(node, () => '0'.repeat(64) as Digest, sdk, [], builder).mnemonic,
      description: describeNode(node),
      key,
    };
  });
  actions.push({
    id: 'builder',
    mnemonic: goBuilder.mnemonic,
    description: goBuilder.description,
    key: builderKey,
  });
  return { goVersion: sdk.version, actions };
}

/** What changed between two lists of keyed actions, one line per action, for the failure. */
function difference(before: readonly KeyedAction[], after: readonly KeyedAction[]): string[] {
  const old = new Map(before.map((a) => [a.id, a]));
  const now = new Map(after.map((a) => [a.id, a]));
  const lines: string[] = [];
  for (const [id, a] of now) {
    const b = old.get(id);
    if (b === undefined) lines.push(`added   ${a.mnemonic} ${id}`);
    else if (b.key !== a.key) lines.push(`changed ${a.mnemonic} ${id}: ${b.key} -> ${a.key}`);
    else if (b.mnemonic !== a.mnemonic || b.description !== a.description)
      lines.push(
        `renamed ${id}: ${b.mnemonic} "${b.description}" -> ${a.mnemonic} "${a.description}"`,
      );
  }
  for (const [id, b] of old) if (!now.has(id)) lines.push(`removed ${b.mnemonic} ${id}`);
  return lines;
}

describe('action keys of //examples/... (golden)', () => {
  test('every node and action key equals the committed golden file', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-action-keys-'));
    try {
      // `build` (binaries, libraries, test binaries) and `test` (plus the runs) of every target.
      const built = await keyedActions(['//examples/...'], undefined, cache);
      const tested = await keyedActions(['//examples/...'], { args: [] }, cache);
      const byId = new Map([...built.actions, ...tested.actions].map((a) => [a.id, a]));
      for (const a of tested.actions) {
        const b = built.actions.find((x) => x.id === a.id);
        // A node both commands have must be the same action.
        if (b !== undefined) expect({ id: a.id, key: a.key }).toEqual({ id: b.id, key: b.key });
      }
      const actual: Golden = {
        goVersion: built.goVersion,
        actions: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      };
      expect(actual.actions.some((a) => a.mnemonic === 'GoLink')).toBe(true);
      expect(actual.actions.some((a) => a.mnemonic === 'GoTestRun')).toBe(true);
      expect(actual.actions.some((a) => a.description.includes('[pgo '))).toBe(true);
      if (process.env['UPDATE_ACTION_KEYS'] === '1') {
        fs.mkdirSync(path.dirname(GOLDEN), { recursive: true });
        fs.writeFileSync(GOLDEN, `${JSON.stringify(actual, undefined, 2)}\n`);
        return;
      }
      const golden = JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as Golden;
      if (golden.goVersion !== actual.goVersion)
        throw new Error(
          `${GOLDEN} was generated with ${golden.goVersion}, this machine's SDK is ${actual.goVersion}: ` +
            'keys include the SDK, so regenerate it on a commit known to be right with UPDATE_ACTION_KEYS=1',
        );
      const changes = difference(golden.actions, actual.actions);
      if (changes.length > 0)
        throw new Error(
          `${changes.length} action(s) differ from ${path.relative(REPO, GOLDEN)} ` +
            `(UPDATE_ACTION_KEYS=1 regenerates it when the change is intended):\n${changes.join('\n')}`,
        );
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
