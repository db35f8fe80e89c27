/**
 * Go's `strconv.Quote` applied to raw bytes: printable ASCII stays, `\a \b \f \n \r \t \v \\ \"`
 * are escaped, valid UTF-8 printable runes stay, everything else becomes `\xNN`. Used for the
 * `modinfo` line of the link importcfg, which the linker unquotes with `strconv.Unquote`.
 */
export function goQuoteBytes(bytes: Uint8Array): string {
  const escapes: Record<number, string> = {
    0x07: '\\a',
    0x08: '\\b',
    0x0c: '\\f',
    0x0a: '\\n',
    0x0d: '\\r',
    0x09: '\\t',
    0x0b: '\\v',
    0x5c: '\\\\',
    0x22: '\\"',
  };
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const escape = escapes[b];
    if (escape !== undefined) {
      out += escape;
      i++;
    } else if (b >= 0x20 && b < 0x7f) {
      out += String.fromCharCode(b);
      i++;
    } else if (b < 0x80) {
      out += hexEscape(b);
      i++;
    } else {
      const rune = decodeUtf8Rune(bytes, i);
      if (rune === undefined || !isPrintableRune(rune.codePoint)) {
        out += hexEscape(b);
        i++;
      } else {
        out += String.fromCodePoint(rune.codePoint);
        i += rune.length;
      }
    }
  }
  return out + '"';
}

function hexEscape(b: number): string {
  return '\\x' + b.toString(16).padStart(2, '0');
}

function decodeUtf8Rune(
  bytes: Uint8Array,
  i: number,
): { codePoint: number; length: number } | undefined {
  const b0 = bytes[i] as number;
  const need = b0 >= 0xf0 && b0 <= 0xf4 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc2 && b0 <= 0xdf ? 1 : -1;
  if (need < 0 || b0 >= 0xf5) return undefined;
  let cp = b0 & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
  for (let k = 1; k <= need; k++) {
    const b = bytes[i + k];
    if (b === undefined || (b & 0xc0) !== 0x80) return undefined;
    cp = (cp << 6) | (b & 0x3f);
  }
  const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
  return { codePoint: cp, length: need + 1 };
}

// Go's strconv.IsPrint is Unicode-table based; for the non-ASCII runes that appear in build info
// (module paths, file names) letters, marks, numbers, punctuation and symbols are printable.
function isPrintableRune(cp: number): boolean {
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}
