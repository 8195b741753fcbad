/**
 * Team-name normalisation and similarity for event matching (pure, never throws).
 */
import { distance } from 'fastest-levenshtein';

/**
 * Normalises a team name for comparison: Unicode NFD with the combining marks removed (`Montréal` → `montreal`),
 * lower case, `&` → `and`, every other non-alphanumeric character → space, whitespace collapsed, then per token:
 * `st` → `saint` when it is the first token (`St. Louis` → `saint louis`) and `state` otherwise (`Indiana St` →
 * `indiana state`), `mt` → `mount`, `univ` → `university`. Both sides of every comparison go through this, so an
 * expansion only has to be consistent, not right. Returns `''` for a name without letters or digits.
 */
export function normalizeTeamName(name: string): string {
  const base = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  if (base === '') return '';
  return base
    .split(' ')
    .map((tok, i) => (tok === 'st' ? (i === 0 ? 'saint' : 'state') : tok === 'mt' ? 'mount' : tok === 'univ' ? 'university' : tok))
    .join(' ');
}

/**
 * Similarity in [0, 1] of two already-normalised names: `1 - levenshtein(a, b) / max(|a|, |b|)` (fastest-levenshtein
 * edit distance), and, when `b` has more words than `a`, also against `b` cut to `a`'s word count (so `indiana state`
 * scores 1 against `indiana state sycamores`: a city or school without the mascot). The larger of the two. Two empty
 * strings score 0 (nothing to compare).
 */
export function teamNameSimilarity(a: string, b: string): number {
  const whole = ratio(a, b);
  const aw = a.split(' ');
  const bw = b.split(' ');
  if (bw.length <= aw.length) return whole;
  return Math.max(whole, ratio(a, bw.slice(0, aw.length).join(' ')));
}

function ratio(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  if (n === 0) return 0;
  return 1 - distance(a, b) / n;
}
