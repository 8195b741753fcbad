/**
 * Short, safe rendering of any value for error messages (JSON, truncated to `max` characters). Never throws
 * (handles BigInt, cycles, functions, symbols). The one renderer every library's "got ..." messages use.
 */
export function describeValue(v: unknown, max = 80): string {
  let s: string;
  if (v === undefined) return 'undefined (missing)';
  try {
    if (typeof v === 'number') s = Number.isNaN(v) ? 'NaN' : String(v);
    else if (typeof v === 'bigint') s = `${v}n`;
    else if (typeof v === 'function' || typeof v === 'symbol') s = `<${typeof v}>`;
    else s = JSON.stringify(v) ?? String(v);
  } catch {
    s = Array.isArray(v) ? '<array>' : `<${typeof v}>`;
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
