import { EXIT } from '../util';
import { type Session, type SessionOptions, openSession, reportFailures } from './session';

/**
 * Opens the session a command works in, or reports why it cannot (not in a workspace, a bad
 * WORKSPACE file…) and returns the usage exit code.
 */
export async function commandSession(opts: SessionOptions): Promise<Session | number> {
  const s = await openSession(opts);
  if (!s.ok) {
    await reportFailures(opts.cwd, s.failure, opts.events);
    return EXIT.usage;
  }
  return s.value;
}
