import type { Diagnostic } from '../util';

/** Whether an action ran or came from the cache. */
export type ActionStatus = 'executed' | 'cached';

/**
 * Everything the core reports. The core never prints: it emits these to a logger (human or
 * `--output=json`, one JSON object per line). README.md documents each type.
 */
export type BuildEvent =
  | {
      readonly type: 'command-started';
      readonly command: string;
      readonly patterns: readonly string[];
      readonly jobs: number;
    }
  | {
      readonly type: 'diagnostic';
      readonly severity: Diagnostic['severity'];
      readonly file?: string;
      readonly line?: number;
      readonly col?: number;
      readonly message: string;
      readonly formatted: string;
    }
  | {
      /** How many source files analysis answered from the persisted scan cache. */
      readonly type: 'analysis-cache';
      readonly sourceFileHits: number;
      readonly sourceFileMisses: number;
    }
  | {
      readonly type: 'analysis-finished';
      readonly targets: number;
      readonly actions: number;
      readonly durationMs: number;
      /**
       * Set when a warm server brought its last build's graph up to date instead of analysing:
       * the edited Go sources (workspace-relative) whose compiles got their new digests.
       */
      readonly patched?: readonly string[];
    }
  | {
      readonly type: 'action-started';
      readonly id: string;
      readonly mnemonic: string;
      readonly description: string;
    }
  | {
      readonly type: 'action-finished';
      readonly id: string;
      readonly mnemonic: string;
      readonly description: string;
      readonly status: ActionStatus;
      readonly key: string;
      readonly durationMs: number;
    }
  | {
      readonly type: 'action-failed';
      readonly id: string;
      readonly mnemonic: string;
      readonly description: string;
      readonly message: string;
      readonly output: string;
    }
  | {
      readonly type: 'action-blocked';
      readonly id: string;
      readonly description: string;
      readonly blockedBy: string;
    }
  | {
      readonly type: 'progress';
      readonly done: number;
      readonly total: number;
      readonly running: readonly string[];
      /** With a remote cache: bytes downloaded from it so far. */
      readonly downloadedBytes?: number;
    }
  | {
      readonly type: 'cache-corruption';
      readonly what: string;
      readonly id: string;
      readonly path: string;
      readonly detail: string;
      /** `remote` when the remote cache sent it (ignored, never stored); absent for the disk cache. */
      readonly source?: 'remote';
    }
  | {
      /** A remote cache problem, reported once per kind per build; the build goes on locally. */
      readonly type: 'remote-cache-warning';
      readonly problem: 'unavailable' | 'timeout' | 'denied' | 'error' | 'corrupt';
      readonly url: string;
      readonly message: string;
    }
  | {
      /** A required module being fetched into the module cache (`go mod download`). */
      readonly type: 'module-download';
      readonly module: string;
      readonly version: string;
      readonly status: 'started' | 'finished' | 'failed';
      readonly durationMs: number;
    }
  | {
      /**
       * What a compile printed on success (`-m` diagnostics from `gc_goopts`), executed or
       * cached: the human log shows it under `# <importPath>`, as cmd/go does.
       */
      readonly type: 'action-output';
      readonly id: string;
      readonly importPath: string;
      readonly output: string;
    }
  | { readonly type: 'output'; readonly target: string; readonly path: string }
  | {
      readonly type: 'test-result';
      readonly target: string;
      readonly status: 'passed' | 'failed' | 'cached';
      readonly durationMs: number;
      readonly output: string;
      /** Whether a human log prints `output` (`--test_output`); unset: only a failed test's. */
      readonly showOutput?: boolean;
    }
  | {
      readonly type: 'command-finished';
      readonly exitCode: number;
      readonly executed: number;
      readonly cached: number;
      readonly failed: number;
      readonly durationMs: number;
      /** Processes started (compile, asm, link, tests): 0 for a null build. */
      readonly spawns: number;
      /**
       * True when the up-to-date check answered: nothing the last (null) build depended on had
       * changed, so its events were replayed without loading or analysing the workspace.
       */
      readonly replayed?: boolean;
      /** The signal that stopped the build (SIGINT, SIGTERM, SIGHUP); exitCode is 128 + its number. */
      readonly interrupted?: string;
      /** With `--remote_cache`: hits split by level, and bytes moved. */
      readonly remoteCache?: RemoteCacheSummary;
    };

/** The remote cache part of `command-finished`. */
export interface RemoteCacheSummary {
  readonly url: string;
  /** Actions answered by the disk cache. */
  readonly localHits: number;
  /** Actions answered by the remote cache. */
  readonly remoteHits: number;
  readonly downloadedBytes: number;
  readonly uploadedBytes: number;
  /** Action results stored on the remote. */
  readonly uploadedResults: number;
  /** False when the remote was given up during the build (see `remote-cache-warning`). */
  readonly available: boolean;
}

/** Receives events. Implementations: the human logger, the JSON logger, test collectors. */
export interface EventSink {
  emit(event: BuildEvent): void;
}
