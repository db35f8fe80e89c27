/**
 * Something about the remote cache the user should know, reported at most once per kind per build;
 * the build goes on either way (locally, without the remote, or without uploading).
 */
export interface RemoteCacheWarning {
  readonly problem:
    /** Not reachable (refused, reset, DNS, TLS): the build continues without it. */
    | 'unavailable'
    /** No answer within `--remote_timeout`: the build continues without it. */
    | 'timeout'
    /** Credentials missing or refused for uploads: results are not uploaded, reads continue. */
    | 'denied'
    /** Error answers: the build continues without it. */
    | 'error'
    /** A blob or action result failed verification: ignored, the action runs locally. */
    | 'corrupt';
  /** The remote cache's URL (no credentials). */
  readonly url: string;
  /** One sentence for humans saying what happened and what pgobuild does about it. */
  readonly message: string;
}

/** Receives {@link RemoteCacheWarning}s; must not throw. */
export type RemoteCacheWarningSink = (warning: RemoteCacheWarning) => void;
