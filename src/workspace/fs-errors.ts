/** True for errors that mean "there is no such file" (ENOENT, or a path through a non-directory). */
export function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * True for errors that mean a directory cannot be listed (missing, not a directory, permission
 * denied, too many symlink levels). A directory pgobuild cannot list holds nothing it can build.
 */
export function isUnlistable(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return isMissing(e) || code === 'EACCES' || code === 'EPERM' || code === 'ELOOP';
}
