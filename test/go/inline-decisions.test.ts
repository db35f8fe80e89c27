import { inlineDiffRung, sizeRung } from '../../src/cli/pgo-doctor-command';
import { diffDecisions, parseInlineDecisions } from '../../src/go/inline-decisions';

// Lines as cmd/compile -m=2 prints them (inline/inl.go, devirtualize/pgo.go), among others.
const WITHOUT = [
  'example.com/m/a.go:5:6: cannot inline main: function too complex: cost 296 exceeds budget 80',
  'example.com/m/a.go:9:12: inlining call to strings.TrimSpace',
  'example.com/m/a.go:9:12: inlining call to strings.TrimSpace',
  'example.com/m/a.go:12:3: inlining call to fmt.Println with score 40',
].join('\n');
const WITH = [
  'example.com/m/a.go:6:18: inlining call to lib.Work',
  'example.com/m/a.go:9:12: inlining call to strings.TrimSpace',
  'example.com/m/a.go:11:7: PGO devirtualizing interface call r.Read to (*os.File).Read',
  'example.com/m/a.go:10:2: hot-budget check allows inlining for call lib.Work (cost 144)',
].join('\n');

it('parses the inlining and PGO devirtualization lines of -m output, nothing else', () => {
  expect(parseInlineDecisions(WITH)).toEqual([
    { kind: 'inlined', pos: 'example.com/m/a.go:6:18', callee: 'lib.Work' },
    { kind: 'inlined', pos: 'example.com/m/a.go:9:12', callee: 'strings.TrimSpace' },
    { kind: 'devirtualized', pos: 'example.com/m/a.go:11:7', callee: '(*os.File).Read' },
  ]);
  expect(parseInlineDecisions(WITHOUT).map((d) => d.callee)).toEqual([
    'strings.TrimSpace',
    'strings.TrimSpace',
    'fmt.Println',
  ]);
});

it('diffs decisions as multisets: a site printed twice counts twice', () => {
  const diff = diffDecisions(parseInlineDecisions(WITH), parseInlineDecisions(WITHOUT));
  expect(diff.gained.map((d) => `${d.pos} ${d.callee}`)).toEqual([
    'example.com/m/a.go:6:18 lib.Work',
    'example.com/m/a.go:11:7 (*os.File).Read',
  ]);
  expect(diff.lost.map((d) => `${d.pos} ${d.callee}`)).toEqual([
    'example.com/m/a.go:9:12 strings.TrimSpace',
    'example.com/m/a.go:12:3 fmt.Println',
  ]);
});

it('the inline-diff rung is "empty" when the profile changed no decision', () => {
  const same = parseInlineDecisions(WITHOUT);
  const builds = (withProfile: typeof same) => ({
    packages: 3,
    diff: diffDecisions(withProfile, same),
    truncated: [],
    size: { withProfile: 1, without: 1 },
  });
  expect(inlineDiffRung(builds(same), 'workspace')).toMatchObject({
    status: 'warn',
    verdict: 'no-effect',
  });
  const changed = inlineDiffRung(builds(parseInlineDecisions(WITH)), 'all');
  expect(changed.status).toBe('ok');
  expect(changed.evidence).toMatch(
    /^1 call site newly inlined, 1 devirtualized, 2 no longer inlined, in the 3 packages/,
  );
});

it('the size rung warns over 10% growth against the -pgo=off build', () => {
  const rung = (withProfile: number, without: number) =>
    sizeRung({
      packages: 1,
      diff: { gained: [], lost: [] },
      truncated: [],
      size: { withProfile, without },
    });
  expect(rung(1100, 1000)).toMatchObject({
    status: 'ok',
    evidence: '1100 bytes with the profile, 1000 with -pgo=off: +10.0%',
  });
  expect(rung(1101, 1000)).toMatchObject({ status: 'warn', verdict: 'size-growth' });
  expect(rung(1101, 1000).evidence).toBe(
    'over 10.0% larger: 1101 bytes with the profile, 1000 with -pgo=off: +10.1%',
  );
});
