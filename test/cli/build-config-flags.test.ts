import { buildSettings } from '../../src/go/build-info';
import { parseGotags, parseLinkopts } from '../../src/cli/build-config-flags';

describe('--gotags', () => {
  it('reads comma-separated, repeatable lists as go build -tags', () => {
    expect(parseGotags(['a,b', 'c', 'a'])).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(parseGotags(undefined)).toEqual({ ok: true, value: [] });
    expect(parseGotags([''])).toEqual({ ok: true, value: [] });
  });
  it('refuses what no build constraint can name, naming the flag', () => {
    const r = parseGotags(['ok,a-b']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toContain('--gotags');
  });
});

describe('--linkopt', () => {
  it('splits words and keeps a flag value that follows its flag', () => {
    expect(parseLinkopts('--linkopt', ['-s -w', '-X', 'main.v=1'])).toEqual({
      ok: true,
      value: ['-s', '-w', '-X', 'main.v=1'],
    });
  });
  it('refuses stray words, flags pgobuild sets and a missing value', () => {
    for (const bad of [['main.v=1'], ['-o=x'], ['-buildmode=pie'], ['-X']]) {
      const r = parseLinkopts('--linkopt', bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.failure).toContain('--linkopt');
    }
  });
});

describe('-tags build setting', () => {
  const base = {
    goMinor: 22,
    goos: 'linux',
    goarch: 'amd64',
    cgoEnabled: false,
    defaultGodebug: '',
  };
  it('is recorded just before -trimpath, as cmd/go does', () => {
    const keys = buildSettings({ ...base, tags: ['a', 'b'] }).map((s) => `${s.key}=${s.value}`);
    expect(keys.slice(2, 4)).toEqual(['-tags=a,b', '-trimpath=true']);
    expect(buildSettings(base).some((s) => s.key === '-tags')).toBe(false);
  });
});
