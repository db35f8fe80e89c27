import * as fs from 'node:fs';
import * as path from 'node:path';
import { type GoMod, parseGoMod, parseGoWork } from '../go/go-mod';
import type { Diagnostic } from '../util';

/** A go.mod of the workspace with the directory it roots. */
export interface WorkspaceModule {
  /** Workspace-relative directory of the go.mod ('' for the root). */
  readonly dir: string;
  readonly mod: GoMod;
  /** The modules whose requirements apply to its packages: itself, or every go.work member. */
  readonly requireFrom: readonly GoMod[];
}

/**
 * The go.mod files (and the go.work file, if any) of a workspace, read once: which module a
 * directory belongs to, its import path, and the `require` lists its imports resolve against.
 */
export class ModuleContext {
  private readonly modules = new Map<string, WorkspaceModule>();
  readonly problems: Diagnostic[] = [];

  /** `modDirs`: workspace-relative directories holding a go.mod file. */
  constructor(
    private readonly root: string,
    modDirs: readonly string[],
  ) {
    const mods = new Map<string, GoMod>();
    for (const dir of modDirs) {
      const file = dir === '' ? 'go.mod' : `${dir}/go.mod`;
      const parsed = parseGoMod(file, fs.readFileSync(path.join(root, file), 'utf8'));
      if (parsed.ok) mods.set(dir, parsed.value);
      else this.problems.push(parsed.failure);
    }
    const workMembers = this.goWorkMembers();
    const members = [...mods].filter(([dir]) => workMembers.has(dir)).map(([, m]) => m);
    for (const [dir, mod] of mods)
      this.modules.set(dir, { dir, mod, requireFrom: workMembers.has(dir) ? members : [mod] });
  }

  /** Directories (workspace-relative) that the root go.work lists in `use`. */
  private goWorkMembers(): Set<string> {
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.root, 'go.work'), 'utf8');
    } catch {
      return new Set();
    }
    const work = parseGoWork('go.work', text);
    if (!work.ok) {
      this.problems.push(work.failure);
      return new Set();
    }
    return new Set(
      work.value.use.map((u) => path.posix.normalize(u.dir).replace(/^\.\/?|\/$/g, '')),
    );
  }

  /** The module paths of the workspace's own modules. */
  modulePaths(): string[] {
    return [...this.modules.values()].map((m) => m.mod.modulePath);
  }

  /** The module of a directory: the nearest go.mod at or above it. */
  moduleOf(rel: string): WorkspaceModule | undefined {
    for (let d = rel; ; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') {
      const m = this.modules.get(d);
      if (m !== undefined) return m;
      if (d === '') return undefined;
    }
  }

  /** The import path of the package in a directory, from its module's path. */
  importPathOf(rel: string): string | undefined {
    const m = this.moduleOf(rel);
    if (m === undefined) return undefined;
    if (rel === m.dir) return m.mod.modulePath;
    return `${m.mod.modulePath}/${m.dir === '' ? rel : rel.slice(m.dir.length + 1)}`;
  }
}
