/**
 * A minimal reader for XML property lists (as printed by `diskutil ... -plist`): dict, array,
 * string, integer, real, true, false, data (kept as base64 text) and date (kept as text).
 */

/** A value of a property list. */
export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x?[0-9a-fA-F]+|lt|gt|amp|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(Number.parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number.parseInt(e.slice(1), 10)) : (ENTITIES[e] ?? ''),
  );

/** Parses an XML plist document; throws a SyntaxError when it is malformed. */
export function parsePlist(xml: string): PlistValue {
  const tokens = xml.replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, '').match(/<[^>]+>|[^<]+/g) ?? [];
  let i = 0;
  const nextTag = (): string => {
    while (i < tokens.length && !tokens[i]!.startsWith('<')) {
      if (tokens[i]!.trim() !== '') throw new SyntaxError('plist: unexpected text');
      i++;
    }
    if (i >= tokens.length) throw new SyntaxError('plist: unexpected end');
    return tokens[i++]!;
  };
  const text = (close: string): string => {
    let s = '';
    while (i < tokens.length && tokens[i] !== close) s += tokens[i++]!;
    if (tokens[i] !== close) throw new SyntaxError(`plist: missing ${close}`);
    i++;
    return decode(s);
  };
  const value = (tag: string): PlistValue => {
    switch (tag) {
      case '<string>':
        return text('</string>');
      case '<string/>':
        return '';
      case '<integer>':
        return Number.parseInt(text('</integer>').trim(), 10);
      case '<real>':
        return Number.parseFloat(text('</real>').trim());
      case '<true/>':
        return true;
      case '<false/>':
        return false;
      case '<data>':
        return text('</data>').replace(/\s+/g, '');
      case '<date>':
        return text('</date>').trim();
      case '<dict/>':
        return {};
      case '<array/>':
        return [];
      case '<dict>': {
        const obj: Record<string, PlistValue> = {};
        for (;;) {
          const t = nextTag();
          if (t === '</dict>') return obj;
          if (t !== '<key>') throw new SyntaxError(`plist: expected <key>, got ${t}`);
          const key = text('</key>');
          obj[key] = value(nextTag());
        }
      }
      case '<array>': {
        const arr: PlistValue[] = [];
        for (;;) {
          const t = nextTag();
          if (t === '</array>') return arr;
          arr.push(value(t));
        }
      }
      default:
        throw new SyntaxError(`plist: unexpected ${tag}`);
    }
  };
  let t = nextTag();
  if (t.startsWith('<plist')) t = nextTag();
  return value(t);
}
