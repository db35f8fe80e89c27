import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { type Browser, chromium as playwrightChromium, type Page } from 'playwright-core';
import { runDiffCommand, type DiffCommandArgs } from '../../src/cli/pgo-diff-command';
import { GO } from './go-oracle';
import { encodeSyntheticProfile } from './synthetic-profile';

const execFileAsync = promisify(execFile);
const CORPUS = path.join(__dirname, '..', 'fixtures', 'profiles');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-diff-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function diff(
  args: Partial<DiffCommandArgs> & { base: string; next: string },
  output: 'human' | 'json',
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runDiffCommand(
    { top: 0, html: undefined, ...args },
    { stdout, stderr, cwd: dir, output },
  );
  return { code, out, err };
}

async function pprofTop(base: string, next: string, extra: string[] = []): Promise<string> {
  const { stdout } = await execFileAsync(
    GO,
    ['tool', 'pprof', '-top', ...extra, `-diff_base=${base}`, next],
    { maxBuffer: 64 << 20, env: { ...process.env, GOTOOLCHAIN: 'local' } },
  );
  return stdout;
}

/** The table part of a -top report: from "Showing nodes accounting for" to the end. */
const table = (text: string): string => text.slice(text.indexOf('Showing nodes accounting for'));

describe('pgo diff against go tool pprof -top -diff_base', () => {
  const pairs: [string, string][] = [
    ['p2pool-observer-api.cpu.pprof', 'p2pool-observer-web.cpu.pprof'],
    ['masterdnsvpn-client.cpu.pprof', 'masterdnsvpn-server.cpu.pprof'],
    ['markdown-server.cpu.pprof', 'p2pool-observer-daemon.cpu.pprof'],
  ];
  it.each(pairs)('%s → %s: the same table, line for line', async (a, b) => {
    const base = path.join(CORPUS, a);
    const next = path.join(CORPUS, b);
    const ours = await diff({ base, next }, 'human');
    expect(ours.code).toBe(0);
    const theirs = table(await pprofTop(base, next));
    expect(theirs.split('\n').length).toBeGreaterThan(50);
    expect(table(ours.out)).toBe(theirs);
  });

  it('exact values (nanoseconds) and order equal pprof -unit=ns', async () => {
    const base = path.join(CORPUS, pairs[0]?.[0] ?? '');
    const next = path.join(CORPUS, pairs[0]?.[1] ?? '');
    const ours = await diff({ base, next }, 'json');
    const json = JSON.parse(ours.out) as {
      total: number;
      dropped: number;
      rows: { name: string; flat: number; cum: number; inline: string }[];
    };
    const theirs = table(await pprofTop(base, next, ['-unit=ns']))
      .split('\n')
      .slice(3)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const m =
          /^\s*(-?\d+)(?:ns)?\s+\S+\s+\S+\s+(-?\d+)(?:ns)?\s+\S+\s+(.*?)( \((partial-)?inline\))?$/.exec(
            l,
          );
        if (m === null) throw new Error(`unparsed pprof line: ${l}`);
        return { name: m[3], flat: Number(m[1]), cum: Number(m[2]), inline: m[4]?.trim() ?? '' };
      });
    expect(
      json.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum, inline: r.inline })),
    ).toEqual(theirs);
    expect(json.total).toBe(11_300_000_000);
  });

  it('--top N prints the first N rows and says how many there are', async () => {
    const base = path.join(CORPUS, pairs[0]?.[0] ?? '');
    const next = path.join(CORPUS, pairs[0]?.[1] ?? '');
    const ours = await diff({ base, next, top: 3 }, 'human');
    const lines = ours.out.trimEnd().split('\n');
    expect(lines).toContain('Showing top 3 nodes out of 264 (--top 0 for all)');
    expect(lines.slice(-3).map((l) => l.trim().split(/\s+/).pop())).toEqual([
      'runtime/internal/syscall.Syscall6',
      'runtime.futex',
      '(inline)',
    ]);
  });

  it('bad input is exit 2 naming the file', async () => {
    const heap = path.join(CORPUS, 'markdown-server.heap.pprof');
    const cpu = path.join(CORPUS, 'markdown-server.cpu.pprof');
    const r = await diff({ base: heap, next: cpu }, 'human');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${heap}: cannot merge: sample types [`);
    await writeFile(path.join(dir, 'junk'), 'junk');
    const j = await diff({ base: cpu, next: 'junk' }, 'human');
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/^junk: not a pprof profile/);
    const t = await diff({ base: cpu, next: cpu, top: -1 }, 'human');
    expect(t.code).toBe(2);
    expect(t.err).toContain('--top -1: expected a whole number >= 0');
  });
});

/*
 * The HTML flame graph, rendered by a real browser: Debian's chromium, headless, driven by
 * playwright-core. The frames are made by the page's script; the test reads them as laid out
 * (computed colours included) and clicks one as a user would.
 */
describe('pgo diff --html in headless chromium', () => {
  const functions = ['main.main', 'main.work', 'main.hot', 'main.cold', 'main.same'].map(
    (name, i) => ({ name, startLine: 10 * (i + 1) }),
  );
  const locations = [
    { lines: [{ fn: 'main.main', line: 11 }] },
    { lines: [{ fn: 'main.work', line: 21 }] },
    { lines: [{ fn: 'main.hot', line: 31 }] },
    { lines: [{ fn: 'main.cold', line: 41 }] },
    { lines: [{ fn: 'main.same', line: 51 }] },
  ];
  const profile = (hot: number, cold: number, same: number): Buffer =>
    encodeSyntheticProfile({
      functions,
      locations,
      samples: [
        { stack: [2, 1, 0], values: [hot, hot * 1e7] },
        { stack: [3, 0], values: [cold, cold * 1e7] },
        { stack: [4, 0], values: [same, same * 1e7] },
      ].filter((s) => (s.values[0] ?? 0) > 0),
    });

  function chromium(): string {
    for (const d of (process.env['PATH'] ?? '').split(path.delimiter)) {
      for (const name of ['chromium', 'chromium-browser']) {
        const p = path.join(d, name);
        try {
          accessSync(p, constants.X_OK);
          return p;
        } catch {
          // not here
        }
      }
    }
    throw new Error(
      'chromium is not installed; this test renders the flame graph in a real headless browser. ' +
        'Install it with: apt-get update && apt-get install -y chromium (.ci/run does this)',
    );
  }

  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await playwrightChromium.launch({
      executablePath: chromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  interface Frame {
    id: number;
    name: string;
    cls: string;
    left: number;
    width: number;
    top: number;
    background: string;
    delta: number;
    text: string;
  }

  /** The frames as the page laid them out (its script made them): style and computed colour. */
  async function frames(page: Page): Promise<Frame[]> {
    // A string, evaluated in the page: the tests are compiled without the DOM's types.
    const json = await page.evaluate(`JSON.stringify(
      [...document.querySelectorAll('div[class^="frame"]')].map((el) => ({
        id: Number(el.dataset.id),
        name: el.dataset.name ?? '',
        cls: el.className,
        left: parseFloat(el.style.left),
        width: parseFloat(el.style.width),
        top: parseFloat(el.style.top),
        background: getComputedStyle(el).backgroundColor,
        delta: Number(el.dataset.delta),
        text: el.textContent,
      })))`);
    return JSON.parse(String(json)) as Frame[];
  }

  it('renders frames with widths, colours and labels from the data, and zooms', async () => {
    // base: hot 10, cold 20, same 10 (40); new: hot 40, same 10 (50).
    await writeFile(path.join(dir, 'base.pprof'), profile(10, 20, 10));
    await writeFile(path.join(dir, 'new.pprof'), profile(40, 0, 10));
    const html = path.join(dir, 'diff.html');
    const r = await diff({ base: 'base.pprof', next: 'new.pprof', html: 'diff.html' }, 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ html: 'diff.html', total: 400_000_000 });
    const source = await readFile(html, 'utf8');
    // Self-contained: nothing fetched from anywhere.
    expect(source).not.toMatch(/\b(src|href)\s*=|https?:\/\/|@import|fetch\(/);

    if (browser === undefined) throw new Error('chromium did not start');
    const page = await browser.newPage();
    await page.goto(`file://${html}`);
    const all = await frames(page);
    const byName = new Map(all.map((f) => [f.name, f]));
    expect([...byName.keys()].sort()).toEqual(
      ['all', 'main.cold', 'main.hot', 'main.main', 'main.same', 'main.work'].sort(),
    );
    // Widths: time in base + new (80 in all): hot 40, cold 20, same 20.
    const expectFrame = (name: string, width: number, background: string, top: number): void => {
      const f = byName.get(name);
      expect({ name, background: f?.background, top: f?.top, text: f?.text }).toEqual({
        name,
        background,
        top,
        text: name,
      });
      // The page writes widths with 4 decimals.
      expect(Math.abs((f?.width ?? NaN) - width)).toBeLessThan(1e-4);
    };
    // Widths: time in base + new (90 in all): hot 50, cold 20, same 20. Colours:
    // (new − base)/(new + base), k = 255 × (1 − 0.8 |r|): red grew, blue shrank.
    expectFrame('all', 100, 'rgb(255, 232, 232)', 0);
    expectFrame('main.main', 100, 'rgb(255, 232, 232)', 18);
    // hot grew 10 → 40: 30/50 = 0.6 → rgb(255, 133, 133).
    expectFrame('main.hot', (50 / 90) * 100, 'rgb(255, 133, 133)', 54);
    expectFrame('main.work', (50 / 90) * 100, 'rgb(255, 133, 133)', 36);
    // cold vanished: −1 → rgb(51, 51, 255); same is white.
    expectFrame('main.cold', (20 / 90) * 100, 'rgb(51, 51, 255)', 36);
    expectFrame('main.same', (20 / 90) * 100, 'rgb(255, 255, 255)', 36);
    // Siblings sit side by side in name order: cold, same, work.
    expect(byName.get('main.cold')?.left).toBeCloseTo(0, 3);
    expect(byName.get('main.same')?.left).toBeCloseTo((20 / 90) * 100, 3);
    expect(byName.get('main.work')?.left).toBeCloseTo((40 / 90) * 100, 3);
    expect(byName.get('main.cold')?.delta).toBe(-200_000_000);

    // The top table lists the function with the largest flat change first.
    const top = JSON.parse(
      String(
        await page.evaluate(`JSON.stringify([...document.querySelectorAll('tr.top-row')].map(
          (tr) => [tr.dataset.name, tr.querySelector('td').textContent]))`),
      ),
    ) as [string, string][];
    expect(top[0]).toEqual(['main.hot', '+300ms']);
    expect(top.map((t) => t[0])).toContain('main.cold');

    // A click on main.work zooms it to the full width, its ancestors above it and nothing
    // beside it, and sets #frame=ID (so the zoomed view is a link that loads as it is).
    const work = byName.get('main.work');
    await page.click('div[data-name="main.work"]');
    expect(new URL(page.url()).hash).toBe(`#frame=${work?.id}`);
    // The page redraws on the hashchange event, after the click has set the hash.
    await page.waitForFunction(`document.querySelector('div[data-name="main.cold"]') === null`);
    const clicked = await frames(page);
    const reloaded = await browser.newPage();
    await reloaded.goto(`file://${html}#frame=${work?.id}`);
    expect(await frames(reloaded)).toEqual(clicked);
    const z = new Map(clicked.map((f) => [f.name, f]));
    expect([...z.keys()].sort()).toEqual(['all', 'main.hot', 'main.main', 'main.work']);
    expect(z.get('main.work')?.width).toBe(100);
    expect(z.get('main.hot')?.width).toBe(100);
    expect(z.get('all')?.cls).toBe('frame ancestor');
    expect(z.get('main.work')?.cls).toBe('frame');
  }, 300000);
});
