import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareCommandLine } from '../../src/cli/command-line';
import { parseRcFile, rcArgsFor } from '../../src/cli/rc-file';
import { parseRemoteCacheUrl } from '../../src/cli/remote-flags';

describe('.pgobuildrc', () => {
  test('common, build and test lines apply as in Bazel; comments and quotes', () => {
    const rc = parseRcFile(
      [
        '# team set-up',
        'common --remote_timeout=30',
        'build --remote_cache=grpc://cache:9092   # trailing comment',
        "test --remote_header='X-Team=a b'",
        'query --jobs=1',
        '',
      ].join('\n'),
      '.pgobuildrc',
    );
    if (!rc.ok) throw new Error(rc.failure.message);
    const args = (cmd: string): string[] => rcArgsFor(cmd, rc.value, '/ws').map((a) => a.arg);
    expect(args('build')).toEqual(['--remote_timeout=30', '--remote_cache=grpc://cache:9092']);
    expect(args('test')).toEqual([
      '--remote_timeout=30',
      '--remote_cache=grpc://cache:9092',
      '--remote_header=X-Team=a b',
    ]);
    expect(args('query')).toEqual(['--remote_timeout=30', '--jobs=1']);
    expect(rcArgsFor('build', rc.value, '/ws')[1]?.origin).toBe('.pgobuildrc:3');
  });

  test.each([
    ['biuld --jobs=1', /\.pgobuildrc:1: unknown command 'biuld'/],
    ['build:ci --jobs=1', /configs .* are not supported/],
    ['import other.rc', /'import' lines are not supported/],
    ["build --remote_header='x", /unterminated quote/],
    ['build //...', /'\/\/...' is not a flag/],
  ])('%s is a syntax error naming the line', (text, message) => {
    const rc = parseRcFile(text, '.pgobuildrc');
    expect(rc.ok).toBe(false);
    if (!rc.ok) expect(rc.failure.message).toMatch(message);
  });
});

describe('remote cache flags', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-flags-'));
    fs.writeFileSync(path.join(ws, 'WORKSPACE'), '');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  test('rc flags come first, the command line wins, and remote flags are taken out', async () => {
    fs.writeFileSync(
      path.join(ws, '.pgobuildrc'),
      'build --remote_cache=http://u:p%40ss@cache:8080/prefix/ --jobs=2\nbuild --noremote_upload_local_results\n',
    );
    const r = await prepareCommandLine(
      [
        'build',
        '//...',
        '--remote_timeout',
        '2.5',
        '--remote_header=Authorization=Bearer x',
        '--',
        '--remote_cache=ignored',
      ],
      ws,
    );
    if (!r.ok) throw new Error(r.failure);
    expect(r.value.argv).toEqual(['build', '--jobs=2', '//...', '--', '--remote_cache=ignored']);
    expect(r.value.remoteCache).toEqual({
      url: 'http://cache:8080/prefix',
      protocol: 'http',
      tls: false,
      hostPort: 'cache:8080',
      pathPrefix: '/prefix',
      credentials: { user: 'u', password: 'p@ss' },
      headers: [['Authorization', 'Bearer x']],
      timeoutMs: 2500,
      uploadLocalResults: false,
      caCertificate: undefined,
    });
    const off = await prepareCommandLine(['build', '--remote_cache='], ws);
    expect(off.ok && off.value.remoteCache).toBeUndefined();
  });

  test.each([
    [
      ['--remote_cache=cache:9092'],
      /--remote_cache=cache:9092 \(command line\): unsupported scheme cache:/,
    ],
    [['--remote_cache=grpc://h'], /grpc:\/\/ needs a port/],
    [['--remote_cache=grpc://h:1/inst'], /has no path/],
    [['--remote_cache=http://h?x=1'], /query or fragment/],
    [['--remote_timeout=0'], /--remote_timeout=0 \(command line\): not a positive number/],
    [['--remote_timeout=-1'], /not a positive number/],
    [['--remote_upload_local_results=maybe'], /not true or false/],
    [['--remote_header=X-A'], /NAME=VALUE/],
    [['--remote_cache'], /--remote_cache \(command line\) needs a value/],
    [
      ['--remote_cache=grpcs://h:1', '--tls_certificate=/nonexistent.pem'],
      /--tls_certificate=\/nonexistent.pem \(command line\): cannot read/,
    ],
  ])('%j is a usage error naming the flag', async (flags, message) => {
    const r = await prepareCommandLine(['build', '//...', ...flags], ws);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toMatch(message);
  });

  test('a bad value in the rc file names its line', async () => {
    fs.writeFileSync(path.join(ws, '.pgobuildrc'), '\n\ncommon --remote_timeout=soon\n');
    const r = await prepareCommandLine(['query', '//...'], ws);
    expect(r).toEqual({
      ok: false,
      failure: expect.stringContaining('--remote_timeout=soon (.pgobuildrc:3)'),
    });
  });

  test('URLs: default ports, IPv6, grpcs', () => {
    expect(parseRemoteCacheUrl('https://cache.example.com')).toMatchObject({
      ok: true,
      value: { hostPort: 'cache.example.com:443', tls: true, protocol: 'http', pathPrefix: '' },
    });
    expect(parseRemoteCacheUrl('grpcs://[::1]:9092')).toMatchObject({
      ok: true,
      value: { hostPort: '[::1]:9092', tls: true, protocol: 'grpc', url: 'grpcs://[::1]:9092' },
    });
  });
});
