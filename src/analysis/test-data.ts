import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Result, type SourceSpan, err, ok } from '../util';
import { labelOf, parseLabel } from '../workspace';
import type { SourceFile } from '../go/compile-action';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import { isFile } from './generic-action-files';
import type { GeneratedSources } from './go-package';
import type { PackageLoader } from './package-loader';
import { type DeclaredTarget, listAttr } from './rule-api';

/**
 * The files a go_test's `data` attribute names (rules_go's attribute: files the test reads at run
 * time), workspace-relative and sorted. Each entry is a file label (`x.json`, `:x.json`,
 * `testdata/x.json`, `//other/pkg:file.txt`) or a directory, which stands for every file under
 * it; or a genrule (or a rule's target) or one of its outs, made during analysis and placed at
 * its path in the package (`<package>/<out>`), as Bazel places runfiles. A missing file, a label
 * of another repository or a label naming another kind of target is an error at the entry in the
 * BUILD file.
 */
export async function testDataFiles(
  target: DeclaredTarget,
  root: string,
  loader: PackageLoader,
  generated?: GeneratedSources,
): Promise<Result<{ readonly files: string[]; readonly made: SourceFile[] }, AnalysisFailure[]>> {
  const out = new Set<string>();
  const made = new Map<string, SourceFile>();
  const failures: AnalysisFailure[] = [];
  const fail = (span: SourceSpan, message: string): void => {
    failures.push(
      diagnosticFailure('missing-source', { severity: 'error', span, message, sourceLine: '' }),
    );
  };
  for (const entry of listAttr(target, 'data')) {
    const parts = parseLabel(entry.value, target.pkg);
    if (!parts.ok) {
      failures.push(
        diagnosticFailure('bad-label', {
          severity: 'error',
          span: entry.span,
          message: parts.failure.message,
          sourceLine: '',
        }),
      );
      continue;
    }
    if (parts.value.repo !== undefined) {
      fail(
        entry.span,
        `data: '${entry.value}' names a module repository; only workspace files can be test data`,
      );
      continue;
    }
    const rel =
      parts.value.pkg === '' ? parts.value.name : `${parts.value.pkg}/${parts.value.name}`;
    const pkg = await loader.load(parts.value.pkg);
    const rule = pkg.ok ? pkg.value?.targets.get(parts.value.name) : undefined;
    const outputs = await generated?.(
      { ...target, pkg: parts.value.pkg },
      parts.value.name,
      entry.span,
    );
    if (outputs !== undefined) {
      if (!outputs.ok) {
        failures.push(outputs.failure);
        continue;
      }
      const outDir = `pgobuild-out/bin/`;
      for (const f of outputs.value) {
        const at = f.display.startsWith(outDir) ? f.display.slice(outDir.length) : f.display;
        made.set(at, { name: at, absPath: f.absPath, digest: f.digest });
      }
      continue;
    }
    if (rule !== undefined) {
      fail(
        entry.span,
        `data: ${labelOf(rule)} is a ${rule.rule.name}; only files (and directories of files) can be test data`,
      );
      continue;
    }
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(path.join(root, rel));
    } catch {
      stat = undefined;
    }
    if (stat?.isFile() === true) out.add(rel);
    else if (stat?.isDirectory() === true) for (const f of filesUnder(root, rel)) out.add(f);
    else
      fail(
        entry.span,
        `missing input file '${labelOf({ pkg: parts.value.pkg, name: parts.value.name })}' (data of ${labelOf(target)})`,
      );
  }
  if (failures.length > 0) return err(failures);
  return ok({
    files: [...out].filter((f) => !made.has(f)).sort(),
    made: [...made.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  });
}

/** Regular files under a workspace-relative directory (symlinks to files included), sorted. */
function filesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const child = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...filesUnder(root, child));
    else if (e.isFile() || (e.isSymbolicLink() && isFile(path.join(root, child)))) out.push(child);
  }
  return out.sort();
}
