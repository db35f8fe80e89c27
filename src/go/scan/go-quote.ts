import { isGoPrint } from './go-unicode';

// Go's strconv.Quote / Unquote / QuotedPrefix for the places where go/build and cmd/go use them
// (import paths, //go:embed arguments, the generated _testmain.go).

const utf8Decoder = new TextDecoder('utf-8');

/** `strconv.Quote`: a double-quoted Go string literal whose bytes match Go's output. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x22 || cp === 0x5c) {
      out += '\\' + ch;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate cannot come from UTF-8 text; Go would print the replacement rune.
      out += '\\ufffd';
    } else if (isGoPrint(cp)) {
      out += ch;
    } else {
      out += escapeNonPrintable(cp);
    }
  }
  return out + '"';
}

function escapeNonPrintable(cp: number): string {
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    default:
      if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
      if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
      return '\\U' + cp.toString(16).padStart(8, '0');
  }
}

/**
 * `strconv.Unquote` for double-quoted and back-quoted strings (and single-quoted runes). Returns
 * undefined where Go returns ErrSyntax. `\x` and octal escapes produce raw bytes, as in Go; bytes
 * that are not valid UTF-8 decode to U+FFFD.
 */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const quote = s[0];
  if (quote !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) return undefined;
    // Carriage returns inside raw strings are discarded from the value.
    return body.replace(/\r/g, '');
  }
  if (quote !== '"' && quote !== "'") return undefined;
  if (body.includes('\n')) return undefined;
  const bytes: number[] = [];
  let i = 0;
  let runes = 0;
  while (i < body.length) {
    const c = body[i] ?? '';
    if (c === quote) return undefined;
    runes++;
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      pushUtf8(bytes, cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const esc = body[i + 1];
    i += 2;
    switch (esc) {
      case 'a':
        bytes.push(0x07);
        break;
      case 'b':
        bytes.push(0x08);
        break;
      case 'f':
        bytes.push(0x0c);
        break;
      case 'n':
        bytes.push(0x0a);
        break;
      case 'r':
        bytes.push(0x0d);
        break;
      case 't':
        bytes.push(0x09);
        break;
      case 'v':
        bytes.push(0x0b);
        break;
      case '\\':
        bytes.push(0x5c);
        break;
      case "'":
      case '"':
        if (esc !== quote) return undefined;
        bytes.push(esc.charCodeAt(0));
        break;
      case 'x':
      case 'u':
      case 'U': {
        const n = esc === 'x' ? 2 : esc === 'u' ? 4 : 8;
        const digits = body.slice(i, i + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) return undefined;
        const v = parseInt(digits, 16);
        i += n;
        if (esc === 'x') {
          bytes.push(v);
        } else {
          if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return undefined;
          pushUtf8(bytes, v);
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        const digits = body.slice(i - 1, i + 2);
        if (!/^[0-7]{3}$/.test(digits)) return undefined;
        const v = parseInt(digits, 8);
        if (v > 255) return undefined;
        bytes.push(v);
        i += 2;
        break;
      }
      case undefined:
      default:
        return undefined;
    }
  }
  if (quote === "'" && runes !== 1) return undefined;
  return utf8Decoder.decode(new Uint8Array(bytes));
}

/**
 * `strconv.QuotedPrefix`: the quoted string (double- or back-quoted) at the start of `s`, or
 * undefined when `s` does not start with a valid one.
 */
export function goQuotedPrefix(s: string): string | undefined {
  const quote = s[0];
  if (quote === '`') {
    const end = s.indexOf('`', 1);
    return end < 0 ? undefined : s.slice(0, end + 1);
  }
  if (quote !== '"') return undefined;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\n') return undefined;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') {
      const prefix = s.slice(0, i + 1);
      return goUnquote(prefix) === undefined ? undefined : prefix;
    }
  }
  return undefined;
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else
    out.push(
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 0x3f),
      0x80 | ((cp >> 6) & 0x3f),
      0x80 | (cp & 0x3f),
    );
}
