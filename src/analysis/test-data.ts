import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Result, type SourceSpan, err, ok } from '../util';
import { labelOf, parseLabel } from '../workspace';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import type { PackageLoader } from './package-loader';
import { type DeclaredTarget, listAttr } from './rule-api';

/**
 * The files a go_test's `data` attribute names (rules_go's attribute: files the test reads at run
 * time), workspace-relative and sorted. Each entry is a file label (`x.json`, `:x.json`,
 * `testdata/x.json`, `//other/pkg:file.txt`) or a directory, which stands for every file under
 * it. A missing file, a label of another repository or a label naming a rule target is an error
 * at the entry in the BUILD file: only source files can be data today.
 */
export async function testDataFiles(
  target: DeclaredTarget,
  root: string,
  loader: PackageLoader,
): Promise<Result<string[], AnalysisFailure[]>> {
  const out = new Set<string>();
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
  return ok([...out].sort());
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

function isFile(absPath: string): boolean {
  try {
    return fs.statSync(absPath).isFile();
  } catch {
    return false;
  }
}
