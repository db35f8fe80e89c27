import { unreachable } from '../util';
import type { BuildEvent, EventSink } from './build-event';

const COLORS = {
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  dim: '\x1b[2m',
  reset: '\x1b[0m',
} as const;

/**
 * Human output: on a TTY one status line `[ 42 / 310 ] GoCompile //lib/render [pgo 3f9a…]`
 * rewritten in place, colors on; elsewhere one line per executed action. Diagnostics, failures
 * and the summary go to stderr, as compilers do.
 */
export class HumanLogger implements EventSink {
  private statusShown = false;
  private readonly tty: boolean;

  constructor(
    private readonly err: NodeJS.WriteStream | NodeJS.WritableStream,
    private readonly verbose = false,
  ) {
    this.tty = (err as NodeJS.WriteStream).isTTY === true && process.env['NO_COLOR'] === undefined;
  }

  private color(c: keyof typeof COLORS, text: string): string {
    return this.tty ? `${COLORS[c]}${text}${COLORS.reset}` : text;
  }

  private line(text: string): void {
    this.clearStatus();
    this.err.write(`${text}\n`);
  }

  private clearStatus(): void {
    if (this.statusShown) {
      this.err.write('\r\x1b[K');
      this.statusShown = false;
    }
  }

  emit(event: BuildEvent): void {
    switch (event.type) {
      case 'command-started':
      case 'action-started':
      case 'analysis-cache':
        return;
      case 'analysis-finished':
        if (this.verbose)
          this.line(
            this.color(
              'dim',
              event.patched === undefined
                ? `Analysed ${event.targets} targets: ${event.actions} actions (${event.durationMs} ms)`
                : `Kept the last analysis of ${event.targets} targets: ${event.actions} actions, ${event.patched.length} edited sources (${event.durationMs} ms)`,
            ),
          );
        return;
      case 'progress':
        if (!this.tty) return;
        this.clearStatus();
        this.err.write(
          `[ ${event.done} / ${event.total} ]${event.downloadedBytes === undefined ? '' : ` ↓ ${formatBytes(event.downloadedBytes)}`} ${event.running.slice(0, 2).join(', ')}`.slice(
            0,
            ((this.err as NodeJS.WriteStream).columns ?? 100) - 1,
          ),
        );
        this.statusShown = true;
        return;
      case 'action-finished':
        if (!this.tty && event.status === 'executed')
          this.line(`${event.mnemonic} ${event.description}`);
        return;
      case 'action-failed':
        this.line(
          `${this.color('red', 'ERROR:')} ${event.mnemonic} ${event.description} failed: ${event.message}`,
        );
        if (event.output.trim() !== '') this.line(event.output.trimEnd());
        return;
      case 'action-blocked':
        if (this.verbose)
          this.line(
            this.color('dim', `skipped ${event.description}: depends on failed ${event.blockedBy}`),
          );
        return;
      case 'diagnostic':
        this.line(
          event.severity === 'error'
            ? event.formatted.replace(': error:', `: ${this.color('red', 'error')}:`)
            : event.formatted.replace(': warning:', `: ${this.color('yellow', 'warning')}:`),
        );
        return;
      case 'cache-corruption':
        // Each corrupt remote entry is ignored; the remote-cache-warning already said so once.
        if (event.source === 'remote') {
          if (this.verbose)
            this.line(
              this.color(
                'dim',
                `ignored corrupted remote ${event.what} ${event.id} (${event.detail})`,
              ),
            );
          return;
        }
        this.line(
          `${this.color('yellow', 'WARNING:')} corrupted cache ${event.what} ${event.id} (${event.detail}): evicted, rebuilding`,
        );
        return;
      case 'remote-cache-warning':
        this.line(`${this.color('yellow', 'WARNING:')} ${event.message}`);
        return;
      case 'module-download':
        if (event.status === 'started') this.line(`Downloading ${event.module}@${event.version}`);
        else if (event.status === 'finished' && this.verbose)
          this.line(
            this.color(
              'dim',
              `Downloaded ${event.module}@${event.version} (${event.durationMs} ms)`,
            ),
          );
        return;
      case 'action-output':
        this.line(`# ${event.importPath}\n${event.output.trimEnd()}`);
        return;
      case 'output':
        if (this.verbose) this.line(`  ${event.target} → ${event.path}`);
        return;
      case 'test-result': {
        const status =
          event.status === 'failed'
            ? this.color('red', 'FAILED')
            : event.status === 'cached'
              ? this.color('green', 'PASSED') + ' (cached)'
              : this.color('green', 'PASSED');
        this.line(
          `${event.target.padEnd(50)} ${status} in ${(event.durationMs / 1000).toFixed(1)}s`,
        );
        if ((event.showOutput ?? event.status === 'failed') && event.output.trim() !== '')
          this.line(event.output.trimEnd());
        return;
      }
      case 'command-finished': {
        this.clearStatus();
        const total = event.executed + event.cached;
        const secs = (event.durationMs / 1000).toFixed(2);
        const r = event.remoteCache;
        if (r !== undefined) {
          this.line(
            `Remote cache ${r.url}: ${r.localHits} local / ${r.remoteHits} remote hits, ${formatBytes(r.downloadedBytes)} downloaded, ${formatBytes(r.uploadedBytes)} uploaded (${r.uploadedResults} results)${r.available ? '' : ', given up during the build'}`,
          );
        }
        if (event.interrupted !== undefined) {
          this.line(
            `${this.color('red', 'Interrupted')} by ${event.interrupted}: ${event.executed} executed, ${event.cached} cached (${secs}s)`,
          );
        } else if (event.exitCode === 0 && event.executed === 0) {
          this.line(
            `${this.color('green', 'Up to date:')} all ${total} actions cached, nothing to do (${secs}s)`,
          );
        } else if (event.exitCode === 0) {
          this.line(
            `${this.color('green', 'Done:')} ${total} actions, ${event.executed} executed, ${event.cached} cached (${secs}s)`,
          );
        } else {
          this.line(
            `${this.color('red', 'FAILED:')} ${event.failed} failed, ${event.executed} executed, ${event.cached} cached (${secs}s)`,
          );
        }
        return;
      }
      default:
        unreachable(event);
    }
  }
}

/** `0 B`, `12.3 kB`, `4.5 MB` (decimal units, as download tools print them). */
function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
