/**
 * `kalshi-platform migrate up|down|status` against real databases: PostgreSQL on 127.0.0.1:5432 (database `test`, a
 * fresh schema per test, dropped afterwards; `STORE_TEST_DATABASE_URL` overrides the URL) and embedded PGlite.
 *
 * Three levels: flag parsing (`migrateOptionsFromFlags`), the in-process run (`runMigrate`), and a commander program
 * built here that registers only `registerMigrate` — once in-process (stdout / exit code captured) and once as a real
 * child process (exit codes 0 / 1 / 2, PGlite outside Jest). The command is not added to `commands/index.ts` here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { RELATIONAL_MIGRATION_NAMES } from '@kalshi-platform/storage';
import { formatMigrateResult, migrateOptionsFromFlags, MigrateArgError, registerMigrate, runMigrate } from '../src/commands/migrate';

jest.setTimeout(120_000);

const REPO = join(__dirname, '..', '..', '..');
const PG_URL = process.env.STORE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const [M1, M2, M3, M4] = RELATIONAL_MIGRATION_NAMES;
const RUN = `migrate_cli_test_${process.pid}_${Date.now().toString(36)}`;

let admin: DataSource;
let n = 0;
let schema: string;
let dir: string;

beforeAll(async () => {
  admin = await new DataSource({ type: 'postgres', url: PG_URL, extra: { max: 1 } }).initialize();
  dir = mkdtempSync(join(tmpdir(), 'migrate-cli-'));
});
afterAll(async () => {
  await admin.destroy();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  schema = `${RUN}_${++n}`;
});
afterEach(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

const tablesOf = async (s: string): Promise<string[]> =>
  ((await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [s])) as Array<{ table_name: string }>).map((r) => r.table_name);

const argError = (fn: () => unknown): { flag: string; message: string } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof MigrateArgError) return { flag: e.flag, message: e.message };
    throw e;
  }
  throw new Error('expected a MigrateArgError');
};

describe('migrateOptionsFromFlags', () => {
  it('defaults: PGlite in data/platform-db, schema platform, one step', () => {
    expect(migrateOptionsFromFlags('up', {}, {})).toEqual({ action: 'up', databaseUrl: undefined, dataDir: 'data/platform-db', schema: 'platform', steps: 1 });
  });

  it('--database-url overrides DATABASE_URL, which is used without the flag', () => {
    expect(migrateOptionsFromFlags('status', { databaseUrl: PG_URL }, { DATABASE_URL: 'postgres://other@h/db' }).databaseUrl).toBe(PG_URL);
    expect(migrateOptionsFromFlags('status', {}, { DATABASE_URL: 'postgresql://other@h/db' }).databaseUrl).toBe('postgresql://other@h/db');
    expect(migrateOptionsFromFlags('status', {}, { DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('bad flags are MigrateArgErrors naming the flag', () => {
    expect(argError(() => migrateOptionsFromFlags('sideways', {}, {}))).toMatchObject({ flag: 'action' });
    expect(argError(() => migrateOptionsFromFlags('up', { databaseUrl: 'mysql://root:hunter2@h/db' }, {}))).toEqual({ flag: '--database-url', message: '--database-url: expected postgres://user@host:port/db, got "mysql://***@h/db"' });
    expect(argError(() => migrateOptionsFromFlags('up', { databaseUrl: ' ' }, {}))).toMatchObject({ flag: '--database-url', message: '--database-url: is empty' });
    expect(argError(() => migrateOptionsFromFlags('up', {}, { DATABASE_URL: 'redis://h:6379' }))).toMatchObject({ flag: 'DATABASE_URL' });
    expect(argError(() => migrateOptionsFromFlags('up', { schema: 'Bad-Schema' }, {}))).toMatchObject({ flag: '--schema', message: expect.stringContaining('invalid schema name "Bad-Schema"') });
    expect(argError(() => migrateOptionsFromFlags('up', { dataDir: '' }, {}))).toMatchObject({ flag: '--data-dir' });
    for (const steps of ['0', '-1', '1.5', 'two', '']) expect(argError(() => migrateOptionsFromFlags('down', { steps }, {}))).toMatchObject({ flag: '--steps' });
    expect(argError(() => migrateOptionsFromFlags('up', { steps: '2' }, {}))).toMatchObject({ flag: '--steps', message: '--steps: only applies to migrate down, not migrate up' });
    expect(migrateOptionsFromFlags('down', { steps: '2' }, {}).steps).toBe(2);
  });
});

describe('runMigrate on PostgreSQL', () => {
  const opts = (action: 'up' | 'down' | 'status', steps = 1) => ({ action, databaseUrl: PG_URL, dataDir: '/nonexistent', schema, steps });

  it('status / up / status / down 2 / up / down 4: tables and reports follow', async () => {
    const s0 = await runMigrate(opts('status'));
    expect(s0).toMatchObject({ kind: 'postgres', schema, applied: [], reverted: [], status: { applied: [], pending: [M1, M2, M3, M4], unknown: [] } });
    expect(await tablesOf(schema)).toEqual([]); // status created nothing

    const up = await runMigrate(opts('up'));
    expect(up.applied).toEqual([M1, M2, M3, M4]);
    expect(await tablesOf(schema)).toEqual(['audit_log', 'events', 'fills', 'markets', 'migrations', 'orders', 'positions', 'risk_limits', 'signals']);
    expect(formatMigrateResult(up)).toBe(`migrate up (postgres schema "${schema}"): applied 4\n  applied  ${M1}\n  applied  ${M2}\n  applied  ${M3}\n  applied  ${M4}`);
    expect(formatMigrateResult(await runMigrate(opts('up')))).toBe(`migrate up (postgres schema "${schema}"): nothing to apply, up to date`);

    const down = await runMigrate(opts('down', 2));
    expect(down.reverted).toEqual([M4, M3]);
    expect(down.status).toEqual({ applied: [M1, M2], pending: [M3, M4], unknown: [] });
    expect(await tablesOf(schema)).toEqual(['events', 'fills', 'markets', 'migrations', 'orders', 'positions', 'signals']);
    expect(formatMigrateResult(down)).toBe(`migrate down (postgres schema "${schema}"): reverted 2\n  reverted ${M4}\n  reverted ${M3}`);
    expect(formatMigrateResult(await runMigrate(opts('status')))).toBe(`migrate status (postgres schema "${schema}"): 2 applied, 2 pending\n  [x] ${M1}\n  [x] ${M2}\n  [ ] ${M3}\n  [ ] ${M4}`);

    expect((await runMigrate(opts('up'))).applied).toEqual([M3, M4]);
    expect((await runMigrate(opts('down', 4))).reverted).toEqual([M4, M3, M2, M1]);
    expect(await tablesOf(schema)).toEqual(['migrations']);
  });

  it('more steps than applied is an error and reverts nothing', async () => {
    await runMigrate(opts('up'));
    await expect(runMigrate(opts('down', 5))).rejects.toThrow('only 4 applied');
    expect((await runMigrate(opts('status'))).status.applied).toEqual([M1, M2, M3, M4]);
  });
});

describe('commander program with registerMigrate (in-process)', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    jest.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
      throw new Error(`process.exit(${code})`);
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const cli = async (...args: string[]) => {
    const program = new Command('kalshi-platform').exitOverride();
    registerMigrate(program);
    await program.parseAsync(args, { from: 'user' });
  };

  it('migrate up / down --steps / status print what they did', async () => {
    await cli('migrate', 'up', '--database-url', PG_URL, '--schema', schema);
    await cli('migrate', 'down', '--steps', '2', '--database-url', PG_URL, '--schema', schema);
    await cli('migrate', 'status', '--database-url', PG_URL, '--schema', schema);
    expect(out.join('')).toBe(
      [
        `migrate up (postgres schema "${schema}"): applied 4`,
        `  applied  ${M1}`,
        `  applied  ${M2}`,
        `  applied  ${M3}`,
        `  applied  ${M4}`,
        `migrate down (postgres schema "${schema}"): reverted 2`,
        `  reverted ${M4}`,
        `  reverted ${M3}`,
        `migrate status (postgres schema "${schema}"): 2 applied, 2 pending`,
        `  [x] ${M1}`,
        `  [x] ${M2}`,
        `  [ ] ${M3}`,
        `  [ ] ${M4}`,
        '',
      ].join('\n'),
    );
    expect(err).toEqual([]);
  });

  it('DATABASE_URL is used without --database-url', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = PG_URL;
    try {
      await cli('migrate', 'up', '--schema', schema);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    expect(await tablesOf(schema)).toContain('orders');
  });

  it('a bad flag exits 2 with a message naming it, before touching any database', async () => {
    await expect(cli('migrate', 'down', '--steps', '0', '--database-url', PG_URL, '--schema', schema)).rejects.toThrow('process.exit(2)');
    expect(err.join('')).toBe('kalshi-platform migrate down: --steps: expected a positive integer, got "0"\n');
    await expect(cli('migrate', 'up', '--database-url', 'http://x', '--schema', schema)).rejects.toThrow('process.exit(2)');
    expect(err.join('')).toContain('kalshi-platform migrate up: --database-url: expected postgres://');
    expect(await tablesOf(schema)).toEqual([]);
  });
});

describe('commander program with registerMigrate (child process)', () => {
  /** Runs a one-off program registering only `migrate` (TypeScript through @swc-node/register, as bin/ does). */
  const spawnCli = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const script = [
      `process.env.SWC_NODE_PROJECT = ${JSON.stringify(join(REPO, 'tsconfig.base.json'))};`,
      `require('@swc-node/register');`,
      `const { Command } = require('commander');`,
      `const { registerMigrate } = require(${JSON.stringify(join(REPO, 'apps', 'cli', 'src', 'commands', 'migrate.ts'))});`,
      `const program = new Command('kalshi-platform');`,
      `registerMigrate(program);`,
      `program.parseAsync(process.argv.slice(1), { from: 'user' }).catch((e) => { console.error('kalshi-platform: ' + e.message); process.exit(1); });`,
    ].join('\n');
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...env };
    if (!('DATABASE_URL' in env)) delete childEnv.DATABASE_URL;
    delete childEnv.JEST_WORKER_ID; // a real process, not a Jest worker
    return spawnSync(process.execPath, ['-e', script, ...args], { cwd: REPO, encoding: 'utf8', env: childEnv, timeout: 100_000 });
  };

  it('exit 0 on PostgreSQL, 2 on a bad flag, 1 on a database error', () => {
    const up = spawnCli(['migrate', 'up', '--database-url', PG_URL, '--schema', schema]);
    expect({ status: up.status, stdout: up.stdout, stderr: up.stderr }).toEqual({ status: 0, stdout: expect.stringContaining(`applied 4\n`), stderr: '' });
    const bad = spawnCli(['migrate', 'down', '--steps', 'x', '--database-url', PG_URL, '--schema', schema]);
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: 'kalshi-platform migrate down: --steps: expected a positive integer, got "x"\n' });
    const tooMany = spawnCli(['migrate', 'down', '--steps', '9', '--schema', schema], { DATABASE_URL: PG_URL });
    expect({ status: tooMany.status, stderr: tooMany.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('cannot revert 9 migration(s)') });
  });

  it('PGlite in --data-dir when there is no URL: up, status, down', () => {
    const dataDir = join(dir, 'pglite');
    const up = spawnCli(['migrate', 'up', '--data-dir', dataDir]);
    expect({ status: up.status, stdout: up.stdout, stderr: up.stderr }).toEqual({
      status: 0,
      stdout: `migrate up (pglite schema "platform"): applied 4\n  applied  ${M1}\n  applied  ${M2}\n  applied  ${M3}\n  applied  ${M4}\n`,
      stderr: '',
    });
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    const status = spawnCli(['migrate', 'status', '--data-dir', dataDir]);
    expect(status.stdout).toBe(`migrate status (pglite schema "platform"): 4 applied, 0 pending\n  [x] ${M1}\n  [x] ${M2}\n  [x] ${M3}\n  [x] ${M4}\n`);
    const down = spawnCli(['migrate', 'down', '--data-dir', dataDir]);
    expect({ status: down.status, stdout: down.stdout }).toEqual({ status: 0, stdout: `migrate down (pglite schema "platform"): reverted 1\n  reverted ${M4}\n` });
  });
});
