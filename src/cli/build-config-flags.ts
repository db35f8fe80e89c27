import { type Result, err, ok } from '../util';

/** A build tag as a `//go:build` expression can name it. */
const TAG = /^[A-Za-z0-9_.]+$/;

/**
 * `--gotags=a,b` as `go build -tags` reads it: a comma-separated list (repeatable; the lists are
 * concatenated). An empty list is no tags; a tag that no build constraint could name is a usage
 * error naming the flag.
 */
export function parseGotags(values: readonly string[] | undefined): Result<string[], string> {
  const tags: string[] = [];
  for (const value of values ?? []) {
    for (const tag of value.split(',').map((t) => t.trim())) {
      if (tag === '') continue;
      if (!TAG.test(tag))
        return err(
          `--gotags: ${JSON.stringify(tag)} is not a build tag (letters, digits, '_' and '.')`,
        );
      if (!tags.includes(tag)) tags.push(tag);
    }
  }
  return ok(tags);
}

/** Linker flags pgobuild itself sets: a user value would break the link or its key. */
const RESERVED = new Set(['-o', '-importcfg', '-buildmode', '-linkmode', '-extld', '-buildid']);
/** Linker flags whose value may follow as the next word (`-X main.v=1`). */
const TAKES_VALUE = new Set(['-X', '-extldflags', '-r', '-B', '-E', '-T', '-k', '-L', '-tmpdir']);

/**
 * `--linkopt` (repeatable) or one `gc_linkopts` list: linker flags as `go build -ldflags` passes
 * them, each value split at whitespace. Every word is a flag (`-s`, `-X=main.v=1`) or the value
 * of the flag before it (`-X main.v=1`); flags pgobuild sets itself are refused.
 *
 * @param where how to name the source in a message, e.g. `--linkopt`
 */
export function parseLinkopts(
  where: string,
  values: readonly string[] | undefined,
): Result<string[], string> {
  const words = (values ?? []).flatMap((v) => v.split(/\s+/).filter((w) => w !== ''));
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const name = word.replace(/^--/, '-').replace(/=.*$/, '');
    if (!word.startsWith('-'))
      return err(`${where}: ${JSON.stringify(word)} is not a linker flag (flags start with '-')`);
    if (RESERVED.has(name)) return err(`${where}: ${name} is set by pgobuild and cannot be given`);
    if (TAKES_VALUE.has(name) && !word.includes('=')) {
      if (i + 1 >= words.length) return err(`${where}: ${name} needs a value`);
      i++;
    }
  }
  return ok(words);
}
