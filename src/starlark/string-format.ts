import { err, ok, type Result } from '../util/result';
import { repr, str, typeName, type Value } from './values';

/**
 * `format % args`: `%s` (str), `%r` (repr), `%d`/`%i` (int), `%o`, `%x`, `%X` and `%%`. A tuple
 * supplies one value per conversion; any other value is the single argument.
 */
export function percentFormat(format: string, args: Value): Result<string, string> {
  const values: readonly Value[] =
    args !== null && typeof args === 'object' && args.kind === 'tuple' ? args.items : [args];
  let next = 0;
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const verb = format[++i];
    if (verb === undefined) return err('incomplete format: a lone % at the end');
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= values.length) return err('not enough arguments for format string');
    const v = values[next++] as Value;
    switch (verb) {
      case 's':
        out += str(v);
        break;
      case 'r':
        out += repr(v);
        break;
      case 'd':
      case 'i':
      case 'o':
      case 'x':
      case 'X': {
        if (typeof v !== 'number') {
          return err(`%${verb} format requires an int, not '${typeName(v)}'`);
        }
        const radix = verb === 'o' ? 8 : verb === 'x' || verb === 'X' ? 16 : 10;
        const digits = Math.abs(v).toString(radix);
        out += (v < 0 ? '-' : '') + (verb === 'X' ? digits.toUpperCase() : digits);
        break;
      }
      default:
        return err(`unsupported format character '${verb}'`);
    }
  }
  if (next < values.length) return err('too many arguments for format string');
  return ok(out);
}

/**
 * `format.format(*args, **kwargs)`: `{}` (automatic numbering), `{0}`, `{name}`, with optional
 * `!s`/`!r` conversions, and `{{`/`}}` escapes. Format specs (`{:>8}`) are not in Starlark.
 */
export function formatMethod(
  format: string,
  positional: readonly Value[],
  named: ReadonlyMap<string, Value>,
): Result<string, string> {
  let out = '';
  let auto = 0;
  let numbering: 'auto' | 'manual' | undefined;
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c === '}') {
      if (format[i + 1] !== '}') return err("single '}' in format string");
      out += '}';
      i++;
      continue;
    }
    if (c !== '{') {
      out += c;
      continue;
    }
    if (format[i + 1] === '{') {
      out += '{';
      i++;
      continue;
    }
    const close = format.indexOf('}', i);
    if (close < 0) return err("unmatched '{' in format string");
    let field = format.slice(i + 1, close);
    i = close;
    let conversion = 's';
    const bang = field.indexOf('!');
    if (bang >= 0) {
      conversion = field.slice(bang + 1);
      field = field.slice(0, bang);
      if (conversion !== 's' && conversion !== 'r') {
        return err(`unknown conversion '!${conversion}' in format string (want !s or !r)`);
      }
    }
    if (field.includes(':')) return err('format specs such as {:>8} are not supported');
    let v: Value | undefined;
    if (field === '') {
      if (numbering === 'manual') {
        return err('cannot switch from manual field numbering to automatic field specification');
      }
      numbering = 'auto';
      v = positional[auto];
      if (v === undefined) return err(`format string needs more than ${auto} positional arguments`);
      auto++;
    } else if (/^[0-9]+$/.test(field)) {
      if (numbering === 'auto') {
        return err('cannot switch from automatic field numbering to manual field specification');
      }
      numbering = 'manual';
      const index = Number(field);
      v = positional[index];
      if (v === undefined) return err(`no positional argument for field {${field}}`);
    } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
      v = named.get(field);
      if (v === undefined) return err(`keyword '${field}' not found in the format arguments`);
    } else {
      return err(`invalid format field '{${field}}'`);
    }
    out += conversion === 'r' ? repr(v) : str(v);
  }
  return ok(out);
}
