/**
 * Go's internal-package rule (cmd/go `disallowInternal`): a package whose import path has an
 * `internal` element may be imported only by packages rooted at the directory above that element.
 * `example.com/a/internal/x` is importable by `example.com/a` and anything below it; the standard
 * library's `internal/…` packages only by the standard library.
 */
export function internalImportAllowed(
  importer: string,
  imported: string,
  importerIsStandard: boolean,
): boolean {
  const index = internalIndex(imported);
  if (index === undefined) return true;
  if (index === 0) return importerIsStandard;
  const parent = imported.slice(0, index - 1);
  return importer === parent || importer.startsWith(`${parent}/`);
}

/** cmd/go's `findInternal`: where the last `internal` element starts, if any. */
function internalIndex(path: string): number | undefined {
  if (path.endsWith('/internal')) return path.length - 'internal'.length;
  const inner = path.lastIndexOf('/internal/');
  if (inner >= 0) return inner + 1;
  if (path === 'internal' || path.startsWith('internal/')) return 0;
  return undefined;
}

/** cmd/go's message for a refused internal import. */
export function internalImportMessage(imported: string): string {
  return `use of internal package ${imported} not allowed`;
}
