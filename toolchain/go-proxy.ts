import { type Result, err, ok } from '../src/util';

/** The default GOPROXY of cmd/go. */
const DEFAULT_GOPROXY = 'https://proxy.golang.org,direct';

/**
 * The module proxy an SDK is downloaded from: the first `http(s)://` entry of `GOPROXY` (entries
 * separated by `,` or `|`, as cmd/go reads them), without a trailing slash. `off` before any proxy
 * forbids downloads; `direct` is skipped because toolchain modules are served by proxies only; a
 * list with no proxy left is an error. Unset or empty means cmd/go's default.
 */
export function moduleProxy(goproxy: string | undefined): Result<string, string> {
  const value = goproxy === undefined || goproxy.trim() === '' ? DEFAULT_GOPROXY : goproxy;
  for (const raw of value.split(/[,|]/)) {
    const entry = raw.trim();
    if (entry === '' || entry === 'direct') continue;
    if (entry === 'off') return err(`GOPROXY=${value} disallows downloading the Go SDK`);
    if (/^https?:\/\//.test(entry)) return ok(entry.replace(/\/+$/, ''));
  }
  return err(
    `GOPROXY=${value} names no http(s) module proxy; a Go SDK (golang.org/toolchain) is downloaded only through one`,
  );
}
