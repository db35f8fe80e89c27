import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCollectCommand, type CollectCommandArgs } from '../../src/cli/pgo-collect-command';
import type { PgoToolIo } from '../../src/cli/pgo-tool-io';
import { preprocessProfileFile } from '../../src/pprof';
import { encodeSyntheticProfile } from '../pprof/synthetic-profile';

const HEAP = fs.readFileSync(
  path.join(__dirname, '..', 'fixtures', 'profiles', 'markdown-server.heap.pprof'),
);

function cpuProfile(durationSeconds: number, count: number): Buffer {
  return encodeSyntheticProfile({
    functions: [
      { name: 'main.a', startLine: 10 },
      { name: 'main.b', startLine: 20 },
    ],
    locations: [{ lines: [{ fn: 'main.b', line: 21 }] }, { lines: [{ fn: 'main.a', line: 12 }] }],
    samples: [{ stack: [0, 1], values: [count, count * 10_000_000] }],
    durationNanos: durationSeconds * 1e9,
  });
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];
async function serve(handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const body =
  (bytes: Uint8Array, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status);
    res.end(bytes);
  };

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-collect-'));
  fs.writeFileSync(path.join(dir, 'WORKSPACE'), '');
  fs.mkdirSync(path.join(dir, 'svc'));
  fs.writeFileSync(path.join(dir, 'svc', 'BUILD.bazel'), '');
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function capture(output: 'human' | 'json' = 'json'): {
  io: PgoToolIo;
  out: () => string;
  errText: () => string;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { io: { stdout, stderr, cwd: dir, output }, out: () => o, errText: () => e };
}

const args = (from: string[], extra: Partial<CollectCommandArgs> = {}): CollectCommandArgs => ({
  target: '//svc',
  from,
  seconds: 2,
  min: 1,
  timeout: 2,
  output: undefined,
  ...extra,
});

describe('pgo collect', () => {
  it('asks every instance for the same window and merges what came back', async () => {
    const seen: string[] = [];
    const record =
      (bytes: Buffer): Handler =>
      (req, res) => {
        seen.push(req.url ?? '');
        body(bytes)(req, res);
      };
    const a = await serve(record(cpuProfile(2, 30)));
    const b = await serve(record(cpuProfile(2, 12)));
    const c = capture('human');
    expect(await runCollectCommand(args([a, `${b}/debug/pprof/`]), c.io)).toBe(0);
    expect(seen.sort()).toEqual([
      '/debug/pprof/profile?seconds=2',
      '/debug/pprof/profile?seconds=2',
    ]);
    const pre = await preprocessProfileFile(path.join(dir, 'svc', 'default.pgo'), 'default.pgo');
    expect(pre.ok && Buffer.from(pre.value).toString()).toBe(
      'GO PREPROFILE V1\nmain.a\nmain.b\n2 42\n',
    );
    expect(c.out()).toContain('Wrote svc/default.pgo from 2 of 2 instances');
  });

  it('rejects a heap profile, an empty body, a short profile, a 500 and a hung instance, naming each', async () => {
    const good = await serve(body(cpuProfile(2, 5)));
    const heap = await serve(body(HEAP));
    const empty = await serve(body(new Uint8Array()));
    const short = await serve(body(cpuProfile(1, 5)));
    const status = await serve(body(Buffer.from('profile busy'), 500));
    const hung = await serve(() => undefined);
    const c = capture();
    const out = path.join(dir, 'out.pgo');
    const code = await runCollectCommand(
      args([good, heap, empty, short, status, hung], { output: out, timeout: 1 }),
      c.io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(c.out()) as {
      written: boolean;
      instances: { url: string; status: string; reason?: string }[];
    };
    expect(report.written).toBe(true);
    expect(report.instances.map((i) => i.reason ?? i.status)).toEqual([
      'ok',
      'profile-not-cpu',
      'profile-empty',
      'profile-too-short',
      'instance-http-status',
      'instance-timeout',
    ]);
    expect(c.errText()).toContain(`warning: ${heap}: not a CPU profile`);
    expect(c.errText()).toContain(`warning: ${status}: instance refused: HTTP 500 (profile busy)`);
    expect(fs.existsSync(out)).toBe(true);
  }, 20000);

  it('fewer than --min good instances: exit 1 and the old profile stays', async () => {
    const target = path.join(dir, 'keep.pgo');
    fs.writeFileSync(target, 'old');
    const good = await serve(body(cpuProfile(2, 5)));
    const heap = await serve(body(HEAP));
    const c = capture('human');
    expect(await runCollectCommand(args([good, heap], { min: 2, output: target }), c.io)).toBe(1);
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(c.errText()).toContain(
      `1 of 2 instances gave a profile, --min is 2; ${target} was not written`,
    );
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('usage errors: unknown package, bad URL, bad --min', async () => {
    const c = capture();
    expect(await runCollectCommand(args(['http://127.0.0.1:1'], { target: '//nope' }), c.io)).toBe(
      2,
    );
    expect(c.errText()).toContain('//nope: package nope has no BUILD or BUILD.bazel file');
    const d = capture();
    expect(await runCollectCommand(args(['ftp://x']), d.io)).toBe(2);
    expect(d.errText()).toContain('ftp://x: bad --from URL: scheme ftp: is not http or https');
    const e = capture();
    expect(await runCollectCommand(args(['http://127.0.0.1:1'], { min: 2 }), e.io)).toBe(2);
    expect(e.errText()).toContain(
      '--min must be an integer from 1 to the number of --from instances (1)',
    );
  });
});
