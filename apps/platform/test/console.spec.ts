/**
 * The trading console (`npm start -- --console`) end to end in a real browser: headless Debian Chromium
 * (`/usr/bin/chromium`, else Google Chrome, or `CHROMIUM_PATH`) driven by playwright-core, against the main job run in-process with the
 * console (the demo capture, the hand-made events file that makes the LeBron "next team" event a basket, replayed in
 * real time x30: about 10 s).
 *
 * While the replay runs, the page must show a ladder level change (the `changed` highlight, the ladder's text moving)
 * and the basket_yes opportunity; the kill switch is engaged from the page (button, the page's own confirmation
 * dialog) and checked over the bus (`ctl.v1.execution.status`); after the replay the services stay up (the `hold`),
 * a page opened late gets the current state from the snapshot, and the layout collapses to one column on a phone.
 * The screenshot goes to `reports/console.png` (a CI artifact); `docs/console.png` (the README's) is written when
 * missing or with `UPDATE_DOCS_SCREENSHOT=1`.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { subjects, type ExecutionStatusV1 } from '@kalshi-platform/bus';
import { startConsoleServer, type RunningConsole } from '@kalshi-platform/feature-console';
import { runPlatform } from '../src/platform';
import type { Report } from '../src/report';
import { CAPTURE } from './oracle';

/** Debian's Chromium (what .ci/run installs), else Google Chrome (GitHub's runners have it), or `CHROMIUM_PATH`. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/google-chrome'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';
const EVENTS = resolve(__dirname, 'fixtures/events-demo-capture-handmade.json');
const REPO = resolve(__dirname, '../../..');
const SCREENSHOT = join(REPO, 'reports/console.png');
const DOCS_SCREENSHOT = join(REPO, 'docs/console.png');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

jest.setTimeout(90_000);

/** The page's globals the predicates below use (they run in the browser; this spec compiles without the DOM lib). */
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
  getElementById(id: string): { textContent: string | null } | null;
};
declare function getComputedStyle(element: unknown): { gridTemplateColumns: string };

async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('trading console (npm start -- --console)', () => {
  let con: RunningConsole | null = null;
  let ctx: BrowserContext | null = null;
  let profile: string | null = null;
  let release: () => void = () => undefined;
  let run: Promise<Report> | null = null;

  afterAll(async () => {
    release();
    await ctx?.close().catch(() => undefined);
    await run?.catch(() => undefined);
    await con?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('shows the live books, the opportunity, and engages the kill switch from the page', async () => {
    con = await startConsoleServer({ port: 0 });
    const c = con;
    const held = new Promise<void>((r) => (release = r));
    let report: Report | null = null;
    run = runPlatform({
      capturePath: CAPTURE,
      eventsPath: EVENTS,
      speed: 'realtime',
      realtimeFactor: 30,
      dropFrames: 0,
      seed: 1,
      shards: 2,
      logLevels: [],
      console: c,
      hold: async (r) => {
        report = r;
        await held;
      },
    });
    run.catch(() => undefined); // surfaced by the await at the end

    profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 1000 } });
    const page: Page = ctx.pages()[0] ?? (await ctx.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // open the page while the replay runs
    await until('the replay to start', () => c.state.snapshot().run.phase.startsWith('replaying'));
    await page.goto(c.url);
    await page.waitForSelector('#conn.ok', { timeout: 10_000 });

    // a ladder level changes: its cell is highlighted and the ladder's text moves
    await page.waitForSelector('#ladder td.changed', { timeout: 20_000 });
    const run1 = c.state.snapshot().run;
    expect(run1.replayed).toBeLessThan(run1.total!); // still replaying
    const before = await page.textContent('#ladder tbody');
    await page.waitForFunction((prev) => document.querySelector('#ladder tbody')?.textContent !== prev, before, { timeout: 10_000 });
    expect(await page.locator('#markets tbody tr').count()).toBe(5);

    // the basket episode appears, open, with its legs and the net edge of the report
    const opp = page.locator('#opportunities tr[data-kind="basket_yes"]');
    await opp.waitFor({ timeout: 20_000 });
    expect(await opp.locator('.state').textContent()).toBe('open');
    const oppText = (await opp.textContent()) ?? '';
    expect(oppText).toContain('KXNEXTTEAMNBA-26LJAM');
    expect(oppText).toContain('0.0491');

    // the kill switch: button, the page's confirmation dialog, the engaged state; then over the bus
    await page.waitForSelector('#kill-button:not([disabled])', { timeout: 10_000 });
    await page.click('#kill-button');
    await page.waitForSelector('#kill-dialog[open]');
    await page.fill('#kill-reason', 'console e2e test');
    await page.click('#kill-confirm');
    await page.waitForSelector('#kill-state.bad', { timeout: 15_000 });
    expect(await page.textContent('#kill-state')).toContain('ENGAGED');
    expect(await page.locator('#kill-dialog[open]').count()).toBe(0);
    const status = await c.request<ExecutionStatusV1>(subjects.executionStatus);
    expect(status.killSwitch.engaged).toBe(true);
    expect(status.killSwitch.reason).toBe('console e2e test');

    // the replay ends; the services stay up (hold) and the page shows the end state, the capture's two fills included
    await until('the report', () => report, 40_000);
    await page.waitForFunction(() => document.getElementById('run-phase')?.textContent?.startsWith('replay complete'), undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#fills tbody tr').length === 2, undefined, { timeout: 10_000 });
    expect(await page.textContent('#fills tbody')).toContain('foreign');
    expect(await page.locator('#health tbody tr').count()).toBe(5); // ingestion, 2 shards, detection, execution
    await page.waitForTimeout(1600); // let the last highlights fade for the picture
    mkdirSync(join(REPO, 'reports'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1' || !existsSync(DOCS_SCREENSHOT)) copyFileSync(SCREENSHOT, DOCS_SCREENSHOT);

    // a page opened late gets everything from the snapshot; on a phone the grid is one column
    const late = await ctx.newPage();
    await late.setViewportSize({ width: 390, height: 844 });
    await late.goto(c.url);
    await late.waitForFunction(() => document.querySelectorAll('#markets tbody tr').length === 5, undefined, { timeout: 10_000 });
    expect(await late.locator('#opportunities tr[data-kind="basket_yes"]').count()).toBe(1);
    expect(await late.textContent('#kill-state')).toContain('ENGAGED');
    const columns = await late.evaluate(() => getComputedStyle(document.querySelector('main.grid')).gridTemplateColumns.split(' ').length);
    expect(columns).toBe(1);
    expect(pageErrors).toEqual([]);

    release();
    const r = await run;
    expect(r.stats.deltas).toBe(2885);
    expect(r.opportunities.map((o) => o.kind)).toEqual(['basket_yes']);
  });
});
