/**
 * A separate process that uses a DiskCache, for the multi-process tests in disk-cache.test.ts.
 * Run with `node -r ts-node/register/transpile-only disk-cache-writer.ts <root> <command> ...`:
 *
 * - `put-file <path>`: stores the file (the test feeds it through a FIFO and kills us mid-way).
 * - `hammer <seed> <size> <rounds> <key name>`: repeatedly stores the same blob and action and
 *   reads them back; exits non-zero on any failure.
 */
import { DiskCache } from '../../src/cache';
import { sha256 } from '../../src/util/digest';
import { testBytes, testKey } from './test-data';

async function main(argv: readonly string[]): Promise<void> {
  const [root, command, ...args] = argv;
  if (root === undefined) throw new Error('usage: disk-cache-writer <root> <command> ...');
  const cache = new DiskCache(root, {
    onEvent: (e) => {
      throw new Error(`unexpected cache event ${JSON.stringify(e)}`);
    },
  });
  switch (command ?? '') {
    case 'put-file': {
      const put = await cache.putFile(args[0] ?? '');
      process.stdout.write(`${put.digest}\n`);
      return;
    }
    case 'hammer': {
      const [seed, size, rounds, keyName] = args.map(String);
      const bytes = testBytes(Number(size), Number(seed));
      const key = testKey(keyName ?? '');
      for (let i = 0; i < Number(rounds); i++) {
        const digest = await cache.putBlob(bytes);
        await cache.putAction(key, {
          outputs: [{ path: 'out', digest, size: bytes.length, executable: false }],
          exitCode: 0,
        });
        const back = await cache.getBlob(digest);
        if (back === undefined || sha256(back) !== digest) throw new Error('blob read back wrong');
        if ((await cache.getAction(key)) === undefined) throw new Error('action read back missing');
      }
      return;
    }
    default:
      throw new Error(`unknown command ${String(command)}`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
