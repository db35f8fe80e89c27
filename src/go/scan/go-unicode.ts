// Go's `unicode` predicates, as JS regular expressions over Unicode categories. The JS engine's
// Unicode tables may be a version apart from Go's; that only matters for newly assigned code
// points.

const letter = /^\p{L}$/u;
const decimalDigit = /^\p{Nd}$/u;
const lowerCase = /^\p{Ll}$/u;
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const graphic = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u;

/** `unicode.IsSpace`: Latin-1 spaces plus the White_Space property (not U+FEFF, unlike JS `\s`). */
export function isGoSpace(cp: number): boolean {
  switch (cp) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200a;
  }
}

/** `unicode.IsLetter`. */
export function isGoLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return letter.test(String.fromCodePoint(cp));
}

/** `unicode.IsDigit` (decimal digits, category Nd). */
export function isGoDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return decimalDigit.test(String.fromCodePoint(cp));
}

/** `unicode.IsLower`. */
export function isGoLower(cp: number): boolean {
  return lowerCase.test(String.fromCodePoint(cp));
}

/** `unicode.IsPrint` (used by `strconv.Quote`): letters, marks, numbers, punctuation, symbols, ' '. */
export function isGoPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  return printable.test(String.fromCodePoint(cp));
}

/** `unicode.IsGraphic`: like IsPrint but every space separator counts. */
export function isGoGraphic(cp: number): boolean {
  return graphic.test(String.fromCodePoint(cp));
}

/** `strings.TrimSpace` with Go's notion of space. */
export function goTrimSpace(s: string): string {
  return goTrimRightSpace(goTrimLeftSpace(s));
}

/** `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function goTrimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i) ?? 0;
    if (!isGoSpace(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(i);
}

/** `strings.TrimRightFunc(s, unicode.IsSpace)`. */
export function goTrimRightSpace(s: string): string {
  let end = s.length;
  // Every Go space is in the BMP, so stepping back one code unit at a time is exact.
  while (end > 0 && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}
