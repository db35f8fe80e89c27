/**
 * Compares two strings by their UTF-8 bytes, as Go's `<` on strings does, without encoding them.
 *
 * UTF-8 byte order equals code point order. JS `<` compares UTF-16 code units, which disagrees
 * only when a surrogate (an astral character, U+10000 and up) meets a BMP character in
 * U+E000–U+FFFF: by code units the surrogate sorts first, by code points it sorts last. So at
 * the first differing unit, lift surrogates above that range before comparing.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      return codePointRank(x) - codePointRank(y);
    }
  }
  return a.length - b.length;
}

/** Maps a UTF-16 code unit to a rank that orders like the code point it starts. */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) {
    return unit - 0x800;
  }
  if (unit >= 0xd800) {
    return unit + 0x2000;
  }
  return unit;
}
