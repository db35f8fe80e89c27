/**
 * Names of module repositories and their package targets, as Gazelle and rules_go give them, so a
 * rules_go user recognises every label: `github.com/klauspost/compress` is the repository
 * `com_github_klauspost_compress`, its package `github.com/klauspost/compress/zstd` the target
 * `@com_github_klauspost_compress//zstd` (short for `//zstd:zstd`).
 */

/**
 * Gazelle's `ImportPathToBazelRepoName`: the module path lower-cased, its host name's labels
 * reversed, and every run of non-word characters (`.`, `/`, `-`, `~`…) turned into one `_`.
 */
export function repoNameOf(modulePath: string): string {
  const [host = '', ...rest] = modulePath.toLowerCase().split('/');
  const reversedHost = host.split('.').reverse();
  return [...reversedHost, ...rest].join('.').replace(/\W+/g, '_');
}

/**
 * The target name Gazelle's `import` naming convention gives a package (`libNameFromImportPath`):
 * the last element of its import path, or the one before it when the last is a version element
 * (`…/yaml/v3` → `yaml`), with `.` turned into `_` (`gopkg.in/yaml.v3` → `yaml_v3`).
 */
export function packageTargetName(importPath: string): string {
  const parts = importPath.split('/');
  if (parts.length === 1) return importPath;
  let name = parts[parts.length - 1] as string;
  if (/^v[0-9]+$/.test(name)) name = parts[parts.length - 2] as string;
  return name.replace(/\./g, '_');
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
