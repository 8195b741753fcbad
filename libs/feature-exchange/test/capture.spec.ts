/** Capture loading: tolerant of blank lines, counts malformed lines, names the file when it cannot be used. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureError, loadCapture } from '../src/replay/capture';
import { CAPTURE, startQuiet } from './harness';

const T = 'KXTEST-26JAN01-T50';
const SNAP = JSON.stringify({ type: 'orderbook_snapshot', sid: 1, seq: 1, msg: { market_ticker: T, market_id: 'id-1', yes_dollars_fp: [['0.4200', '10.00']], no_dollars_fp: [['0.5000', '7.00']] } });
const DELTA = (seq: number, ts: number) => JSON.stringify({ type: 'orderbook_delta', sid: 1, seq, msg: { market_ticker: T, market_id: 'id-1', price_dollars: '0.4200', delta_fp: '1.00', side: 'yes', ts_ms: ts } });

describe('loadCapture', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exchange-capture-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the demo capture: 2,898 frames, no malformed line, five markets', () => {
    const c = loadCapture(CAPTURE);
    expect(c.frames.length).toBe(2898);
    expect(c.malformed).toEqual([]);
    expect([...c.marketTickers].sort()).toEqual([
      'KXBTCD-26JUL0317-T60499.99',
      'KXBTCD-26JUL0317-T60999.99',
      'KXNEXTTEAMNBA-26LJAM-CLE',
      'KXNEXTTEAMNBA-26LJAM-GSW',
      'KXNEXTTEAMNBA-26LJAM-MIA',
    ]);
    expect(c.frames.filter((f) => f.frame.type === 'orderbook_delta').length).toBe(2885);
  });

  it('skips blank lines, counts a malformed line (with its line number) and loads the rest', () => {
    const file = join(dir, 'mixed.jsonl');
    // line 1 snapshot, 2 blank, 3 delta, 4 blank, 5 not JSON, 6 whitespace only, 7 unknown-type, 8 bad field, 9 delta
    const badField = JSON.stringify({ type: 'orderbook_delta', sid: 1, seq: 4, msg: { market_ticker: T, price_dollars: 'x', delta_fp: '1.00', side: 'yes' } });
    writeFileSync(file, [SNAP, '', DELTA(2, 1000), '', '{"type":"orderbook_delta",', '   ', '{"type":"mystery","msg":{}}', badField, DELTA(5, 2000), ''].join('\n'));
    const c = loadCapture(file);
    expect(c.frames.map((f) => f.frame.type)).toEqual(['orderbook_snapshot', 'orderbook_delta', 'orderbook_delta']);
    expect(c.frames.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(c.frames.map((f) => f.tsMs)).toEqual([0, 1000, 2000]);
    expect(c.malformed.map((m) => m.line)).toEqual([5, 7, 8]);
    expect(c.malformed.map((m) => m.error.kind)).toEqual(['malformed_json', 'unknown_type', 'invalid_field']);
    expect(c.marketTickers).toEqual([T]);
    expect(c.marketIds.get(T)).toBe('id-1');
  });

  it('reads a JSON-array capture too', () => {
    const file = join(dir, 'array.json');
    writeFileSync(file, `  [${SNAP}, ${DELTA(2, 5)}]\n`);
    const c = loadCapture(file);
    expect(c.frames.length).toBe(2);
    expect(c.malformed).toEqual([]);
  });

  it('a missing file throws CaptureError naming it', () => {
    const file = join(dir, 'does-not-exist.jsonl');
    expect(() => loadCapture(file)).toThrow(CaptureError);
    expect(() => loadCapture(file)).toThrow(file);
  });

  it('a file with no decodable frame throws CaptureError naming it and the malformed count', () => {
    const file = join(dir, 'junk.jsonl');
    writeFileSync(file, 'nope\n\n{"also":"nope"}\n');
    expect(() => loadCapture(file)).toThrow(new CaptureError(`capture ${file} holds no decodable frame (2 malformed)`));
  });

  it('a broken JSON array throws CaptureError naming the file', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '[{"type":"ok"},');
    expect(() => loadCapture(file)).toThrow(CaptureError);
    expect(() => loadCapture(file)).toThrow(file);
  });

  it('startExchange rejects with the CaptureError for a missing capture', async () => {
    const file = join(dir, 'missing.jsonl');
    const p = startQuiet({ capturePath: file });
    await expect(p).rejects.toBeInstanceOf(CaptureError);
    await expect(p).rejects.toThrow(file);
  });
});
