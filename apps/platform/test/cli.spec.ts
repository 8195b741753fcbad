/**
 * `npm start` as a user runs it: the real command line in a child process (what the `start` script runs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Report } from '../src/report';
import { CAPTURE, expectBooksMatchOracle } from './oracle';

const ROOT = resolve(__dirname, '../../..');
const run = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'tools/run.cjs'), 'apps/platform/src/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('npm start (command line)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-cli-'));

  it('replays the bundled demo capture by default, prints a summary and writes the report', () => {
    const out = join(dir, 'report.json');
    const r = run(['--report', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/frames 2891 \(snapshots 5, deltas 2885, malformed 0\)/);
    expect(r.stdout).toContain(`report written to ${out}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.input.capture).toBe(CAPTURE);
    expectBooksMatchOracle(report);
  });

  it('fails with one clear line and exit code 2 on a missing file', () => {
    const r = run(['--capture', join(dir, 'nope.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error: --capture ${join(dir, 'nope.jsonl')}: no such file`]);
    const e = run(['--events', join(dir, 'missing-events.json')]);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain('--events');
  });

  it('refuses a malformed events file and bad options without a stack trace', () => {
    const bad = join(dir, 'bad-events.json');
    writeFileSync(bad, '{"events": [{"event_ticker": 5}]}');
    const r = run(['--events', bad, '--quiet']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/events file .*bad-events\.json/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const s = run(['--speed', 'warp']);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--speed/);
  });

  it('counts and skips malformed frames without stopping (the replay sends recorded garbage verbatim)', () => {
    const lines = readFileSync(CAPTURE, 'utf8').split('\n');
    const cap = join(dir, 'with-garbage.jsonl');
    lines.splice(40, 0, '{"type":"orderbook_delta","sid":1,"seq":"x"}', 'not json at all');
    writeFileSync(cap, lines.join('\n'));
    const out = join(dir, 'garbage-report.json');
    const r = run(['--capture', cap, '--report', out, '--quiet']);
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.stats.malformed).toBe(2);
    expect(report.stats.deltas).toBe(2885);
    expectBooksMatchOracle(report);
  });
});
