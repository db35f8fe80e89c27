/**
 * The remote cache figures (`npm run bench -- remote`): a cold build that uploads to a real
 * bazel-remote vs a fresh copy of the same workspace at another path, with an empty disk cache,
 * against the now-warm remote. Each is one CLI process (`node bin/pgobuild.js build …`, as
 * `npx pgobuild` runs it); the figures come from command-finished's `remoteCache` summary
 * (`--output=json`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, REPO, median, run } from './common';

/** Where scripts/fetch-tools.sh builds bazel-remote v2.6.2. */
const BAZEL_REMOTE = path.join(REPO, '.cache', 'tools', 'bazel-remote', 'bazel-remote');

/** One build's figures. */
export interface RemoteBuild {
  readonly ms: number;
  readonly rssKiB: number;
  readonly executed: number;
  readonly cached: number;
  readonly localHits: number;
  readonly remoteHits: number;
  readonly downloadedBytes: number;
  readonly uploadedBytes: number;
  readonly uploadedResults: number;
  readonly available: boolean;
  /** Executed actions by mnemonic (action-finished events with status executed). */
  readonly executedByMnemonic: Record<string, number>;
  /** Fresh copies only: every file under pgobuild-out/bin equals the cold build's. */
  readonly identicalBinaries?: boolean;
}

/** One workspace over one protocol: the cold build(s) and the fresh copies. */
export interface RemoteScenario {
  readonly workspace: string;
  readonly protocol: 'grpc' | 'http';
  readonly description: string;
  readonly command: string;
  /** Binaries placed under pgobuild-out/bin by the cold build, and their total size. */
  readonly binaries: number;
  readonly binaryBytes: number;
  readonly cold: RemoteBuild[];
  readonly fresh: RemoteBuild[];
  /** 1-minute load average before and after the scenario. */
  readonly loadAverage1m: readonly [number, number];
}

interface Server {
  readonly httpUrl: string;
  readonly grpcUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts bazel-remote on random free loopback ports with an empty temp directory. */
async function startBazelRemote(): Promise<Server> {
  if (!fs.existsSync(BAZEL_REMOTE)) {
    const built = spawnSync('bash', [path.join(REPO, 'scripts', 'fetch-tools.sh')], {
      stdio: 'inherit',
    });
    if (built.status !== 0 || !fs.existsSync(BAZEL_REMOTE))
      throw new Error(
        `bazel-remote is missing (${BAZEL_REMOTE}) and scripts/fetch-tools.sh failed`,
      );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-bazel-remote-'));
  for (let attempt = 0; attempt < 4; attempt++) {
    const httpPort = await freePort();
    const grpcPort = await freePort();
    const child = spawn(
      BAZEL_REMOTE,
      [
        '--dir',
        path.join(dir, 'data'),
        '--max_size',
        '5',
        '--access_log_level',
        'none',
        '--http_address',
        `127.0.0.1:${httpPort}`,
        '--grpc_address',
        `127.0.0.1:${grpcPort}`,
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        // The empty blob always exists: bazel-remote's readiness probe.
        const r = await fetch(
          `http://127.0.0.1:${httpPort}/cas/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`,
          { method: 'HEAD' },
        );
        if (r.ok)
          return {
            httpUrl: `http://127.0.0.1:${httpPort}`,
            grpcUrl: `grpc://127.0.0.1:${grpcPort}`,
            stop: async () => {
              await stopProcess(child);
              fs.rmSync(dir, { recursive: true, force: true });
            },
          };
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopProcess(child);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error('bazel-remote did not start');
}

/** Every file under dir, relative path → contents. */
function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!fs.existsSync(dir)) return out;
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, rel);
    if (fs.statSync(full).isFile()) out.set(rel, fs.readFileSync(full));
  }
  return out;
}

function sameFiles(a: Map<string, Buffer>, b: Map<string, Buffer>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!(b.get(k)?.equals(v) ?? false)) return false;
  return true;
}

function build(ws: string, patterns: readonly string[], cache: string, url: string): RemoteBuild {
  const r = run(
    process.execPath,
    [CLI, 'build', ...patterns, `--disk_cache=${cache}`, `--remote_cache=${url}`, '--output=json'],
    ws,
  );
  const events = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type?: string });
  const done = events.find((e) => e.type === 'command-finished') as
    | {
        executed: number;
        cached: number;
        remoteCache?: Omit<
          RemoteBuild,
          'ms' | 'rssKiB' | 'executed' | 'cached' | 'executedByMnemonic'
        >;
      }
    | undefined;
  const rc = done?.remoteCache;
  if (done === undefined || rc === undefined)
    throw new Error(`no command-finished with remoteCache in ${ws}`);
  if (events.some((e) => e.type === 'remote-cache-warning'))
    throw new Error(`remote cache warning in ${ws}: ${r.stdout}`);
  const executedByMnemonic: Record<string, number> = {};
  for (const e of events as { type?: string; status?: string; mnemonic?: string }[])
    if (e.type === 'action-finished' && e.status === 'executed' && e.mnemonic !== undefined)
      executedByMnemonic[e.mnemonic] = (executedByMnemonic[e.mnemonic] ?? 0) + 1;
  return {
    executedByMnemonic,
    ms: r.ms,
    rssKiB: r.rssKiB,
    executed: done.executed,
    cached: done.cached,
    localHits: rc.localHits,
    remoteHits: rc.remoteHits,
    downloadedBytes: rc.downloadedBytes,
    uploadedBytes: rc.uploadedBytes,
    uploadedResults: rc.uploadedResults,
    available: rc.available,
  };
}

/**
 * Measures one workspace over both protocols: `copy(dir)` writes a fresh copy of it into dir
 * (a new path each time), `patterns` are what the user builds.
 */
export async function measureRemote(
  workspace: string,
  description: string,
  copy: (dir: string) => void,
  patterns: readonly string[],
  coldRuns: number,
  freshRuns: number,
  protocols: readonly ('grpc' | 'http')[],
  log: (text: string) => void,
): Promise<RemoteScenario[]> {
  const out: RemoteScenario[] = [];
  for (const protocol of protocols) {
    const load0 = os.loadavg()[0] as number;
    const cold: RemoteBuild[] = [];
    const fresh: RemoteBuild[] = [];
    let reference = new Map<string, Buffer>();
    let url = '';
    for (let c = 0; c < coldRuns; c++) {
      // A new, empty server per cold build, so that every cold build uploads everything.
      const server = await startBazelRemote();
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `pgobuild-bench-remote-${workspace}-`));
      try {
        url = protocol === 'grpc' ? server.grpcUrl : server.httpUrl;
        const a = path.join(tmp, 'cold', 'ws');
        copy(a);
        const b = build(a, patterns, path.join(tmp, 'cold-cache'), url);
        cold.push(b);
        log(
          `remote ${workspace} ${protocol} cold ${c + 1}/${coldRuns}: ${b.ms.toFixed(0)} ms, ${b.executed} executed, ${b.uploadedBytes} B up (${b.uploadedResults} results)`,
        );
        reference = filesUnder(path.join(a, 'pgobuild-out', 'bin'));
        // The fresh copies are measured against the first cold build's server only.
        if (c === 0)
          for (let i = 0; i < freshRuns; i++) {
            const d = path.join(tmp, `fresh-${i}`, 'checkout');
            copy(d);
            const f = build(d, patterns, path.join(tmp, `fresh-cache-${i}`), url);
            const identicalBinaries = sameFiles(
              reference,
              filesUnder(path.join(d, 'pgobuild-out', 'bin')),
            );
            fresh.push({ ...f, identicalBinaries });
            log(
              `remote ${workspace} ${protocol} fresh ${i + 1}/${freshRuns}: ${f.ms.toFixed(0)} ms, ${f.executed} executed, ${f.remoteHits} remote hits, ${f.downloadedBytes} B down, binaries ${identicalBinaries ? 'identical' : 'DIFFERENT'}`,
            );
            fs.rmSync(path.join(tmp, `fresh-${i}`), { recursive: true, force: true });
            fs.rmSync(path.join(tmp, `fresh-cache-${i}`), { recursive: true, force: true });
          }
      } finally {
        await server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
    out.push({
      workspace,
      protocol,
      description,
      command: `node bin/pgobuild.js build ${patterns.length > 3 ? `<${patterns.length} targets>` : patterns.join(' ')} --disk_cache=<empty dir> --remote_cache=${url.replace(/:\d+$/, ':PORT')} --output=json`,
      binaries: reference.size,
      binaryBytes: [...reference.values()].reduce((n, b) => n + b.length, 0),
      cold,
      fresh,
      loadAverage1m: [load0, os.loadavg()[0] as number],
    });
  }
  return out;
}

/** The bench/README.md section for the remote figures. */
export function remoteSection(
  scenarios: readonly RemoteScenario[],
  describe: (m: Record<string, string | number>) => string,
  machine: Record<string, string | number>,
  date: string,
): string {
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  const med = (xs: readonly RemoteBuild[], f: (b: RemoteBuild) => number): number =>
    median(xs.map(f));
  const rows = scenarios.map((s) => {
    const c = s.cold;
    const f = s.fresh;
    const same = f.every((b) => b.identicalBinaries === true) ? 'yes' : 'NO';
    return `| ${s.workspace} | ${s.protocol} | ${(med(c, (b) => b.ms) / 1000).toFixed(1)} s (${c.length}) | ${med(c, (b) => b.executed)} / ${med(c, (b) => b.cached)} | ${mb(med(c, (b) => b.uploadedBytes))} (${med(c, (b) => b.uploadedResults)} results) | ${(med(f, (b) => b.ms) / 1000).toFixed(1)} s (${f.length}) | ${med(f, (b) => b.executed)} / ${med(f, (b) => b.remoteHits)} | ${mb(med(f, (b) => b.downloadedBytes))} (binaries ${mb(s.binaryBytes)}) | ${mb(med(f, (b) => b.uploadedBytes))} | ${(med(c, (b) => b.ms) / med(f, (b) => b.ms)).toFixed(1)}× | ${same} |`;
  });
  const loads = scenarios.flatMap((s) => s.loadAverage1m);
  return `
## Remote cache: a fresh clone against a warm bazel-remote vs a cold build

A real bazel-remote v2.6.2 on 127.0.0.1 (new, empty, per protocol and workspace). **Cold**: a copy
of the workspace, empty disk cache, \`--remote_cache=…\` uploading everything it runs. **Fresh**:
another copy at another path, its own empty disk cache, same remote (now warm). One CLI process
per build (\`node bin/pgobuild.js build … --output=json\`, what \`npx pgobuild\` runs); the counts and
bytes are command-finished's \`remoteCache\` summary. Time is the median over the runs given in
brackets; the cold builds take minutes here, so each ran once per protocol. The Go module cache
(GOMODCACHE) is the machine's, warm for both. "Binaries identical": every file the fresh copy placed
under \`pgobuild-out/bin\` is byte-identical to the cold build's.
Measured on ${describe(machine)}, ${date.slice(0, 10)}, on 2 cores shared with a CI run (1-minute load
average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}): absolute times are inflated.

| workspace | protocol | cold: time (runs) | cold: executed / cached | cold: uploaded | fresh: time (runs) | fresh: executed / remote hits | fresh: downloaded | fresh: uploaded | cold / fresh | binaries identical |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${scenarios
  .map((s) => {
    const ran = s.fresh[0]?.executedByMnemonic;
    const what =
      ran === undefined
        ? ` The fresh copy ran ${s.fresh[0]?.executed ?? 0} actions (by mnemonic not recorded in this run).`
        : ` The fresh copy ran: ${
            Object.entries(ran)
              .map(([m, n]) => `${n} ${m}`)
              .join(', ') || 'nothing'
          }.`;
    return `- ${s.workspace} over ${s.protocol}: ${s.description}; \`${s.command}\`.${what}`;
  })
  .join('\n')}
`;
}
