import * as path from 'node:path';
import type { BuildNode, CompileNode } from './build-graph';
import type { ReadSource, SourceReader } from './go-package';

/**
 * Brings an analysed graph up to date with edited Go sources, without analysing again, when the
 * edit cannot change what analysis decided: the answer must be the graph a full analysis of the
 * edited workspace gives (test/e2e/incremental-analysis.test.ts compares the keys of both after
 * random edits).
 *
 * Analysis reads a non-test .go file's header only, through its scan (package clause, imports,
 * //go: directives, //go:embed patterns, build constraints, each with its position); the rest of
 * the file reaches the graph only as the file's digest, in the compiles that list it. So an edit
 * that leaves the scan equal changes exactly those digests. A test file is not patched: its
 * whole text names the test functions the generated test main calls.
 *
 * Returns false, having patched nothing, when one of `changed` (absolute paths) is anything else:
 * not a .go file analysis read from the workspace, a test file, a file whose scan changed or no
 * longer scans, or a file some node names other than as a compile's Go file (an action's input,
 * test data). `nodes` is patched in place otherwise. The reader has read the new files either way.
 */
export async function patchEditedSources(
  root: string,
  reader: SourceReader,
  nodes: Map<string, BuildNode>,
  mentions: SourceMentions,
  changed: ReadonlySet<string>,
): Promise<boolean> {
  const replacements = new Map<string, ReadSource>();
  for (const absPath of changed) {
    const display = path.relative(root, absPath);
    if (display.startsWith('..') || !display.endsWith('.go') || display.endsWith('_test.go'))
      return false;
    if (reader.digestRead(absPath) === undefined || mentions.elsewhere.has(absPath)) return false;
    const { before, after } = await reader.reread(display);
    if (before === undefined || !before.ok || !after.ok) return false;
    if (before.value.info === undefined || after.value.info === undefined) return false;
    if (JSON.stringify(before.value.info) !== JSON.stringify(after.value.info)) return false;
    replacements.set(absPath, after.value);
  }
  const patched: CompileNode[] = [];
  for (const id of new Set(
    [...replacements.keys()].flatMap((f) => mentions.compilesOf.get(f) ?? []),
  )) {
    const node = nodes.get(id);
    if (node?.kind !== 'compile') return false;
    const goFiles = node.unit.goFiles.map((f) => replacements.get(f.absPath) ?? f);
    patched.push({ ...node, unit: { ...node.unit, goFiles } });
  }
  for (const node of patched) nodes.set(node.id, node);
  return true;
}

/**
 * Where a graph names files: the compiles listing each Go file, and every string found anywhere
 * else in the nodes (so every path they hold in any other role: an action's input, test data, a
 * flag). Objects shared between nodes (configurations) are looked into once; accessors are not
 * followed (a cached source's `text` reads the file). Patching keeps it true: it changes digests,
 * not paths.
 */
export class SourceMentions {
  readonly compilesOf = new Map<string, string[]>();
  readonly elsewhere = new Set<string>();
  private readonly walked = new WeakSet<object>();

  constructor(nodes: ReadonlyMap<string, BuildNode>) {
    for (const node of nodes.values()) {
      if (node.kind !== 'compile') {
        this.collect(node);
        continue;
      }
      const { goFiles, ...unitRest } = node.unit;
      for (const f of goFiles) {
        const list = this.compilesOf.get(f.absPath);
        if (list === undefined) this.compilesOf.set(f.absPath, [node.id]);
        else list.push(node.id);
      }
      this.collect(unitRest);
      for (const [key, value] of Object.entries(node)) if (key !== 'unit') this.collect(value);
    }
  }

  private collect(value: unknown): void {
    if (typeof value === 'string') {
      this.elsewhere.add(value);
      return;
    }
    if (typeof value !== 'object' || value === null || this.walked.has(value)) return;
    this.walked.add(value);
    for (const key of Object.keys(value)) {
      const prop = Object.getOwnPropertyDescriptor(value, key);
      if (prop !== undefined && 'value' in prop) this.collect(prop.value);
    }
  }
}
