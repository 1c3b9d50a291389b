// RFC 8785 JSON Canonicalization Scheme for the JSON the ledger accepts (FORMATS.md):
// strings, integers within ±(2^53-1), booleans, null, arrays, objects. Object members are
// sorted by UTF-16 code units (JavaScript's default string order); strings and numbers
// are serialised as ECMAScript's JSON.stringify does, which is what RFC 8785 specifies.
import { invalid } from './errors';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function canonicalize(value: unknown, path = ''): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw invalid(`JCS: ${path || '/'} is not an integer in [-(2^53-1), 2^53-1]`);
      }
      return JSON.stringify(value === 0 ? 0 : value); // -0 is 0
    case 'string':
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff) {
          const d = value.charCodeAt(i + 1);
          if (!(d >= 0xdc00 && d <= 0xdfff)) throw invalid(`JCS: ${path || '/'} has a lone surrogate`);
          i++;
        } else if (c >= 0xdc00 && c <= 0xdfff) {
          throw invalid(`JCS: ${path || '/'} has a lone surrogate`);
        }
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return '[' + value.map((v, i) => canonicalize(v, `${path}/${i}`)).join(',') + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return (
        '{' +
        keys
          .map((k) => JSON.stringify(k) + ':' + canonicalize(obj[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`))
          .join(',') +
        '}'
      );
    }
    default:
      throw invalid(`JCS: ${path || '/'} has a value of type ${typeof value}, not JSON`);
  }
}
