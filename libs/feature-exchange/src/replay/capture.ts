/**
 * Loading a recorded Kalshi WebSocket capture: one JSON frame per line (blank lines allowed, as in the
 * demo capture where every frame is followed by an empty line), or a JSON array of frames (as in the
 * legacy ticker capture). Each frame is decoded with libs/kalshi; malformed lines are counted and skipped.
 */
import { readFileSync } from 'node:fs';
import { decodeWsFrame, DecodeError, WsFrame } from '@kalshi-platform/kalshi';

/** One decoded frame of a capture, with its exchange time carried forward for frames that have none. */
export interface CaptureFrame {
  /** 0-based index among the capture's well-formed frames */
  index: number;
  frame: WsFrame;
  /** `ts_ms` of this frame, or of the latest earlier frame that had one (0 before any) */
  tsMs: number;
  /** the frame exactly as recorded */
  raw: string;
}

export interface Capture {
  file: string;
  frames: CaptureFrame[];
  /** undecodable lines, kept verbatim: `beforeFrame` is the index of the next well-formed frame */
  malformed: Array<{ line: number; error: DecodeError; raw: string; beforeFrame: number }>;
  /** market tickers in order of first appearance */
  marketTickers: string[];
  /** market ticker -> Kalshi market id (uuid) as recorded */
  marketIds: Map<string, string>;
}

/** Error for an unreadable capture file; the message names the file. */
export class CaptureError extends Error {}

/**
 * Reads and decodes a capture file.
 * @throws CaptureError when the file cannot be read or holds no frame at all.
 */
export function loadCapture(file: string): Capture {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CaptureError(`cannot read capture ${file}: ${(e as Error).message}`);
  }
  const rawFrames: Array<{ line: number; raw: string }> = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch (e) {
      throw new CaptureError(`capture ${file} starts with '[' but is not a JSON array: ${(e as Error).message}`);
    }
    if (!Array.isArray(arr)) throw new CaptureError(`capture ${file} is not a JSON array`);
    arr.forEach((f, i) => rawFrames.push({ line: i + 1, raw: JSON.stringify(f) }));
  } else {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i].trim();
      if (l !== '') rawFrames.push({ line: i + 1, raw: l });
    }
  }
  const frames: CaptureFrame[] = [];
  const malformed: Capture['malformed'] = [];
  const marketTickers: string[] = [];
  const seen = new Set<string>();
  const marketIds = new Map<string, string>();
  let tsMs = 0;
  for (const { line, raw } of rawFrames) {
    const r = decodeWsFrame(raw);
    if (!r.ok) {
      malformed.push({ line, error: r.error, raw, beforeFrame: frames.length });
      continue;
    }
    const f = r.value;
    const ts = (f as { tsMs?: number }).tsMs;
    if (typeof ts === 'number') tsMs = ts;
    const ticker = (f as { marketTicker?: string }).marketTicker;
    if (ticker && !seen.has(ticker)) {
      seen.add(ticker);
      marketTickers.push(ticker);
    }
    const id = (f as { marketId?: string }).marketId;
    if (ticker && id) marketIds.set(ticker, id);
    frames.push({ index: frames.length, frame: f, tsMs, raw });
  }
  if (frames.length === 0) throw new CaptureError(`capture ${file} holds no decodable frame (${malformed.length} malformed)`);
  return { file, frames, malformed, marketTickers, marketIds };
}
