import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyExamples, finished, go, pgobuild, textSection, tempDir } from './harness';

/** Every go_binary of the examples, by package directory. */
function binaries(ws: string): string[] {
  const q = pgobuild(ws, ['query', "kind('go_binary', //examples/...)"], { json: false });
  return q.stdout.split('\n').filter((l) => l.startsWith('//'));
}

describe('the example monorepo', () => {
  let ws: string;
  beforeAll(() => {
    ws = copyExamples();
    const run = pgobuild(ws, ['build', '//examples/...']);
    if (finished(run).exitCode !== 0) throw new Error(run.stderr);
  });

  test('(d) every example binary has the .text section of go build -trimpath (same profile)', () => {
    const labels = binaries(ws);
    expect(labels.length).toBeGreaterThanOrEqual(4);
    const outDir = tempDir('oracle-examples-');
    // Built one at a time: each command-line main resolves its own default.pgo, as in ours.
    for (const label of labels) {
      const pkg = label.slice(2);
      const name = path.basename(pkg);
      const out = path.join(outDir, name);
      const built = go(path.join(ws, 'examples'), [
        'build',
        '-trimpath',
        '-o',
        out,
        `./${path.relative('examples', pkg)}`,
      ]);
      expect(built.stderr).toBe('');
      const ours = path.join(ws, 'pgobuild-out/bin', pkg, name);
      expect({ label, same: textSection(ours).equals(textSection(out)) }).toEqual({
        label,
        same: true,
      });
      const info = (f: string): string[] =>
        go(ws, ['version', '-m', f]).stdout.split('\n').slice(1);
      expect(info(ours)).toEqual(info(out));
      // Services carry their own profile; the CLI and the load drivers have none.
      const hasProfile = fs.existsSync(path.join(ws, pkg, 'default.pgo'));
      expect({ label, pgo: info(ours).includes('\tbuild\t-pgo=default.pgo') }).toEqual({
        label,
        pgo: hasProfile,
      });
      if (hasProfile) {
        const off = path.join(outDir, `${name}-nopgo`);
        go(path.join(ws, 'examples'), [
          'build',
          '-trimpath',
          '-pgo=off',
          '-o',
          off,
          `./${path.relative('examples', pkg)}`,
        ]);
        expect({ label, differsFromNoPgo: !textSection(ours).equals(textSection(off)) }).toEqual({
          label,
          differsFromNoPgo: true,
        });
      }
    }
    expect(labels.filter((l) => fs.existsSync(path.join(ws, l.slice(2), 'default.pgo')))).toEqual([
      '//examples/cmd/logworker',
      '//examples/cmd/mdrender',
      '//examples/cmd/mdserver',
      '//examples/cmd/searchd',
    ]);
  });

  test('the test of a main package with a profile is built with it, other tests without', () => {
    const run = pgobuild(ws, [
      'build',
      '//examples/cmd/mdserver:mdserver_test',
      '//examples/lib/markdown:markdown_test',
    ]);
    const compiles = run.events
      .filter((e) => e.type === 'action-finished' && e.mnemonic === 'GoCompile')
      .map((e) => (e.type === 'action-finished' ? e.description : ''));
    expect(
      compiles.some((d) =>
        /^\/\/examples\/cmd\/mdserver \[\/\/examples\/cmd\/mdserver:mdserver_test\] \[pgo [0-9a-f]+…\]$/.test(
          d,
        ),
      ),
    ).toBe(true);
    expect(
      compiles.some(
        (d) =>
          d.startsWith('//examples/lib/markdown [//examples/lib/markdown:markdown_test]') &&
          !d.includes('[pgo'),
      ),
    ).toBe(true);
  });

  test('(c) the go_tests pass', () => {
    const run = pgobuild(ws, ['test', '//examples/...']);
    const results = run.events.filter((e) => e.type === 'test-result');
    expect(results.length).toBeGreaterThanOrEqual(5);
    expect(results.filter((e) => e.type === 'test-result' && e.status === 'failed')).toEqual([]);
    expect(finished(run).exitCode).toBe(0);
  });

  test('(c) the CLI renders Markdown', () => {
    const doc = path.join(ws, 'doc.md');
    fs.writeFileSync(doc, '# Title\n\nSome *emphasis* and `code`.\n\n- one\n- two\n');
    const r = spawnSync(path.join(ws, 'pgobuild-out/bin/examples/cmd/mdcat/mdcat'), [doc], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<h1');
    expect(r.stdout).toContain('<em>emphasis</em>');
    expect(r.stdout).toContain('<li>one</li>');
  });

  test('(c) the markdown service serves /render on 127.0.0.1', async () => {
    const server = spawn(
      path.join(ws, 'pgobuild-out/bin/examples/cmd/mdserver/mdserver'),
      ['-addr', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m !== null) resolve(m[1] as string);
        });
        server.on('exit', (code) => reject(new Error(`mdserver exited with ${code}`)));
      });
      const health = await fetch(`http://${address}/healthz`);
      expect(health.status).toBe(200);
      const rendered = await fetch(`http://${address}/render`, {
        method: 'POST',
        body: '## Hello\n\n**bold**\n',
      });
      expect(rendered.status).toBe(200);
      const html = await rendered.text();
      expect(html).toContain('<h2');
      expect(html).toContain('<strong>bold</strong>');
    } finally {
      server.kill('SIGTERM');
    }
  });
});
