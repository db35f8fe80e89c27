import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import {
  buildCorpus,
  fuzzConfig,
  fuzzWorkspace,
  loadBuildFile,
  mutateBytes,
  mutateText,
  preprocessBytes,
  prng,
  profileCorpus,
} from './fuzz-harness';

// Bounded for `npm test`; `npm run fuzz` raises the counts. FUZZ_SEED=<n> reproduces a run.
const config = fuzzConfig({ buildCases: 300, profileCases: 300 });

describe(`fuzz (seed ${config.seed}; reproduce with FUZZ_SEED=${config.seed})`, () => {
  const rssAtStart = process.memoryUsage().rss;

  beforeAll(() => {
    // The seed is printed so that a failure seen in CI can be replayed.
    process.stdout.write(`fuzz seed ${config.seed}\n`);
  });

  test('mutated BUILD files end in a failure value naming the file: no throw, hang or blow-up', async () => {
    const rand = prng(config.seed);
    const corpus = buildCorpus();
    const root = fuzzWorkspace();
    const problems: string[] = [];
    try {
      for (let i = 0; i < config.buildCases && problems.length < 5; i++) {
        const text = mutateText(corpus[Math.floor(rand() * corpus.length)] as string, rand);
        const started = Date.now();
        const problem = await loadBuildFile(root, text);
        const ms = Date.now() - started;
        if (problem !== undefined)
          problems.push(`case ${i}: ${problem}\n--- BUILD ---\n${text.slice(0, 2000)}`);
        else if (ms > config.caseMs)
          problems.push(`case ${i}: took ${ms} ms\n--- BUILD ---\n${text.slice(0, 2000)}`);
        const grown = process.memoryUsage().rss - rssAtStart;
        if (grown > config.maxRssGrowthBytes)
          problems.push(`case ${i}: RSS grew by ${grown} bytes`);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  });

  test('mutated profiles end in a failure value naming the file: no throw, hang or blow-up', () => {
    const rand = prng(config.seed ^ 0x5eed);
    const corpus = profileCorpus();
    const raw = corpus.map((b) => zlib.gunzipSync(b));
    const problems: string[] = [];
    for (let i = 0; i < config.profileCases && problems.length < 5; i++) {
      // Half the cases mutate the protobuf itself (past the gzip CRC that would catch most flips).
      const useRaw = rand() < 0.5;
      const source = (useRaw ? raw : corpus)[Math.floor(rand() * corpus.length)] as Uint8Array;
      const bytes = mutateBytes(source, rand);
      const started = Date.now();
      const problem = preprocessBytes(bytes);
      const ms = Date.now() - started;
      if (problem !== undefined) problems.push(`case ${i}: ${problem}`);
      else if (ms > config.caseMs) problems.push(`case ${i}: took ${ms} ms`);
      const grown = process.memoryUsage().rss - rssAtStart;
      if (grown > config.maxRssGrowthBytes) problems.push(`case ${i}: RSS grew by ${grown} bytes`);
    }
    expect(problems).toEqual([]);
  });
});
