import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A temporary directory tree for file-system tests. `files` maps relative paths to contents;
 * a path ending in '/' makes an empty directory.
 */
export class TempTree {
  readonly root: string;

  constructor(files: Record<string, string> = {}) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-ws-'));
    this.write(files);
  }

  /** Creates files (and their directories); a key ending in '/' is an empty directory. */
  write(files: Record<string, string>): void {
    for (const [rel, content] of Object.entries(files)) {
      const abs = path.join(this.root, rel);
      if (rel.endsWith('/')) {
        fs.mkdirSync(abs, { recursive: true });
      } else {
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        fs.writeFileSync(abs, content);
      }
    }
  }

  /** Creates a symlink at `rel` pointing to `target` (as written, relative or absolute). */
  symlink(rel: string, target: string): void {
    const abs = path.join(this.root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.symlinkSync(target, abs);
  }

  /** Absolute path of a relative one. */
  path(rel: string): string {
    return path.join(this.root, rel);
  }

  /** Removes the whole tree. */
  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
