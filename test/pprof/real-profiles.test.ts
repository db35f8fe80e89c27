import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { preprocessProfileFile } from '../../src/pprof';
import { goPreprofile, goRoot } from './go-oracle';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'profiles');
const corpusCpuProfiles = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.cpu.pprof'))
  .map((f) => path.join(FIXTURES, f));

/** Our preprocessed bytes must equal the real `go tool preprofile` output, byte for byte. */
async function expectSameAsGo(file: string): Promise<void> {
  const ours = await preprocessProfileFile(file, path.basename(file));
  const go = await goPreprofile(file);
  if (!go.ok) {
    throw new Error(`go tool preprofile failed on ${file}: ${go.stderr}`);
  }
  expect(ours).toEqual({ ok: true, value: expect.anything() });
  if (ours.ok) {
    // Compare as text first for a readable diff, then as bytes for exactness.
    expect(Buffer.from(ours.value).toString('utf8')).toEqual(go.bytes.toString('utf8'));
    expect(Buffer.compare(Buffer.from(ours.value), go.bytes)).toBe(0);
    // Guard against two empty outputs agreeing: every real profile here has edges.
    expect(go.bytes.length).toBeGreaterThan(100);
  }
}

describe('preprocessing real profiles matches go tool preprofile', () => {
  it('has the corpus fixtures', () => {
    expect(corpusCpuProfiles.length).toBe(7);
  });

  it.each(corpusCpuProfiles.map((f) => [path.basename(f), f]))('%s', async (_name, file) => {
    await expectSameAsGo(file);
  });

  it('cmd/compile/default.pgo and the compiler test profiles', async () => {
    const root = await goRoot();
    const testdata = path.join(root, 'src/cmd/compile/internal/test/testdata/pgo');
    const files = [path.join(root, 'src/cmd/compile/default.pgo')];
    for (const dir of readdirSync(testdata)) {
      for (const f of readdirSync(path.join(testdata, dir))) {
        if (f.endsWith('.pprof')) {
          files.push(path.join(testdata, dir, f));
        }
      }
    }
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      await expectSameAsGo(f);
    }
  });
});

describe("the example services' committed profiles", () => {
  const examples = path.join(__dirname, '..', '..', 'examples', 'cmd');
  const profiles = readdirSync(examples)
    .map((dir) => path.join(examples, dir, 'default.pgo'))
    .filter((f) => {
      try {
        return readdirSync(path.dirname(f)).includes('default.pgo');
      } catch {
        return false;
      }
    });

  it('exist for the four services (mdrender carries the Go PGO blog profile)', () => {
    expect(profiles.map((f) => path.basename(path.dirname(f))).sort()).toEqual([
      'logworker',
      'mdrender',
      'mdserver',
      'searchd',
    ]);
  });

  it.each(profiles.map((f) => [path.basename(path.dirname(f)), f]))(
    '%s/default.pgo preprocesses like go tool preprofile',
    async (_name, file) => {
      await expectSameAsGo(file);
    },
  );
});
