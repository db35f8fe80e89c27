import type { GoMod } from '../go/go-mod';
import type { GoSources } from './go-package';
import type { ModulePackage } from './module-packages';
import type { DeclaredTarget } from './rule-api';

/** A go_library or go_binary (or module package) resolved to its files, import path and imports. */
export interface ResolvedPackage {
  readonly target: DeclaredTarget;
  readonly label: string;
  readonly importPath: string;
  /** The go.mod governing a workspace package. */
  readonly module?: GoMod;
  readonly sources: GoSources;
  /** Direct imports: resolved import path → the package providing it (undefined = std). */
  readonly imports: ReadonlyMap<string, ResolvedPackage | undefined>;
  /** Set for a package of a required module (an implicit `@repo//dir:name` target). */
  readonly fromModule?: ModulePackage;
}
