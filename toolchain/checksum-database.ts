import { type Result, err, ok } from '../src/util';
import type { HttpGet } from './http-get';
import { SUM_GOLANG_ORG_KEY, openNote, parseVerifierKey } from './sumdb-note';
import { checkInclusion, recordHash } from './tlog-inclusion';

/** What the checksum database answered for one module version. */
export interface ChecksumRecord {
  /** The `h1:` hash of the module zip. */
  readonly sum: string;
  /** The signed tree head the answer came with (`go.sum database tree`, size, root hash). */
  readonly treeSize: number;
}

/**
 * Looks a module version up in the Go checksum database (sum.golang.org) through a module proxy
 * (`<proxy>/sumdb/sum.golang.org/lookup/<module>@<version>`), as cmd/go does when a proxy supports
 * it. The answer is `<record id>\n<go.sum lines>\n\n<signed tree note>`. The go.sum line is believed
 * only when the note is signed with sum.golang.org's built-in key and the record is in that signed
 * tree (its inclusion proof, from the log's tiles through the same proxy, gives the signed root).
 *
 * Not done: checking this tree head against an earlier one (cmd/go remembers the latest tree it saw
 * in GOMODCACHE to detect a forked log); pgobuild keeps no such state.
 */
export async function lookupChecksum(
  proxy: string,
  modulePath: string,
  version: string,
  get: HttpGet,
  signal?: AbortSignal,
): Promise<Result<ChecksumRecord, string>> {
  // Module path escaping (uppercase → !lowercase) is needed by no golang.org/toolchain version.
  const url = `${proxy}/sumdb/sum.golang.org/lookup/${modulePath}@${version}`;
  const res = await get(url, signal);
  if (!res.ok) return err(`${url}: ${res.failure}`);
  if (res.value.status !== 200) {
    const detail = res.value.body.toString('utf8').trim().split('\n')[0] ?? '';
    return err(`${url}: HTTP ${res.value.status}${detail === '' ? '' : `: ${detail}`}`);
  }
  const body = res.value.body.toString('utf8');
  const firstLine = body.indexOf('\n');
  const blank = body.indexOf('\n\n', firstLine);
  if (firstLine < 0 || blank < 0 || !/^\d+$/.test(body.slice(0, firstLine)))
    return err(`${url}: malformed checksum database record`);
  const record = body.slice(firstLine + 1, blank + 1);
  const key = parseVerifierKey(SUM_GOLANG_ORG_KEY);
  if (!key.ok) return err(key.failure);
  const tree = openNote(body.slice(blank + 2), [key.value]);
  if (!tree.ok) return err(`${url}: checksum database tree: ${tree.failure}`);
  const [title, size, rootHash] = tree.value.split('\n');
  const root = Buffer.from(rootHash ?? '', 'base64');
  if (
    title !== 'go.sum database tree' ||
    size === undefined ||
    !/^\d+$/.test(size) ||
    root.length !== 32
  )
    return err(`${url}: signed note is not a go.sum database tree`);
  const included = await checkInclusion(
    Number(body.slice(0, firstLine)),
    recordHash(Buffer.from(record, 'utf8')),
    Number(size),
    root,
    async (tilePath) => {
      const tileUrl = `${proxy}/sumdb/sum.golang.org/${tilePath}`;
      const tile = await get(tileUrl, signal);
      if (!tile.ok) return err(`${tileUrl}: ${tile.failure}`);
      if (tile.value.status !== 200) return err(`${tileUrl}: HTTP ${tile.value.status}`);
      return ok(tile.value.body);
    },
  );
  if (!included.ok) return err(`${url}: ${included.failure}`);
  for (const line of record.split('\n')) {
    const [m, v, sum, ...rest] = line.split(' ');
    if (m === modulePath && v === version && sum?.startsWith('h1:') === true && rest.length === 0)
      return ok({ sum, treeSize: Number(size) });
  }
  return err(`${url}: no h1 line for ${modulePath}@${version} in the checksum database record`);
}
