import { linkerFlagProblem } from '../analysis/link-options';
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
  const bad = linkerFlagProblem(words);
  return bad === undefined ? ok(words) : err(`${where}: ${bad}`);
}
