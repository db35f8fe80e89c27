/**
 * Names of module repositories and their package targets, as Gazelle and rules_go give them, so a
 * rules_go user recognises every label: `github.com/klauspost/compress` is the repository
 * `com_github_klauspost_compress`, its package `github.com/klauspost/compress/zstd` the target
 * `@com_github_klauspost_compress//zstd` (short for `//zstd:zstd`).
 */

/**
 * Gazelle's `ImportPathToBazelRepoName`: the module path lower-cased, its host name's labels
 * reversed, every `.`, `/`, `-` and `~` turned into `_`.
 */
export function repoNameOf(modulePath: string): string {
  const [host = '', ...rest] = modulePath.toLowerCase().split('/');
  const reversedHost = host.split('.').reverse();
  return [...reversedHost, ...rest].join('.').replace(/[-.~]/g, '_');
}

/**
 * The target name Gazelle's `import` naming convention gives a package: the last element of its
 * import path, or the one before it when the last is a major-version suffix (`…/yaml/v3` → `yaml`).
 */
export function packageTargetName(importPath: string): string {
  const parts = importPath.split('/');
  const last = parts[parts.length - 1] ?? importPath;
  if (parts.length > 1 && /^v[2-9][0-9]*$/.test(last)) return parts[parts.length - 2] ?? last;
  return last;
}

/** The directory of a package inside its module (`''` for the module's root package). */
export function dirInModule(modulePath: string, importPath: string): string {
  return importPath === modulePath ? '' : importPath.slice(modulePath.length + 1);
}

/** The label of a module package: `@repo//dir:name`, written short when Gazelle writes it short. */
export function modulePackageLabel(modulePath: string, importPath: string): string {
  const repo = repoNameOf(modulePath);
  const dir = dirInModule(modulePath, importPath);
  const name = packageTargetName(importPath);
  const last = dir.slice(dir.lastIndexOf('/') + 1);
  if (dir !== '' && name === last) return `@${repo}//${dir}`;
  return `@${repo}//${dir}:${name}`;
}

/** Whether `importPath` is `modulePath` or a package below it. */
export function isInModule(modulePath: string, importPath: string): boolean {
  return importPath === modulePath || importPath.startsWith(`${modulePath}/`);
}
