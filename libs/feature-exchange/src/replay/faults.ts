/**
 * Deterministic fault injection for the replay: which recorded delta frames to drop on the wire.
 * The exchange's true books still apply dropped frames and the per-sid `seq` still advances, so a client
 * sees a sequence gap exactly as it would on a lossy feed.
 */
import type { CaptureFrame } from './capture';

/** Mulberry32: a small, fast, seedable 32-bit PRNG (public domain, Tommy Ettinger). Returns [0,1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Chooses `count` distinct orderbook_delta frames (by capture index) to drop, deterministically from
 * `seed`. The final delta frame of the capture is never chosen: a gap only shows when a later frame
 * arrives on the same sid, and after the last frame none does, so no client could ever detect it.
 * @throws RangeError when count is negative or exceeds the droppable deltas.
 */
export function chooseDroppedFrames(frames: CaptureFrame[], count: number, seed: number): Set<number> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`--drop-frames must be a non-negative integer, got ${count}`);
  const deltas = frames.filter((f) => f.frame.type === 'orderbook_delta').map((f) => f.index);
  const candidates = deltas.slice(0, Math.max(0, deltas.length - 1));
  if (count > candidates.length) throw new RangeError(`--drop-frames ${count} exceeds the ${candidates.length} droppable delta frames`);
  const rnd = mulberry32(seed);
  // partial Fisher-Yates
  const a = candidates.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rnd() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return new Set(a.slice(0, count));
}
