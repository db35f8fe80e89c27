/**
 * Whether a process with this pid exists on this host. EPERM means it exists but belongs to
 * another user. A reused pid answers true, so callers that delete a dead process's leftovers err
 * on the side of keeping them.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
