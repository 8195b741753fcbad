/**
 * `npx kalshi-platform <command>` (issue #4): the platform's data tools. Each command lives in ./commands and
 * registers itself on the program; configuration comes from flags, then the environment (`KALSHI_*`, `QUESTDB_ADDR`,
 * `DATABASE_URL`, `REDIS_URL`), then a `.env` file in the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { COMMANDS } from './commands';

/** Loads `KEY=value` lines of `.env` into process.env without overriding what is already set. */
function loadDotEnv(path = '.env'): void {
  if (!existsSync(path)) return;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m && process.env[m[1]] === undefined) process.env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
}

async function main(argv: string[]): Promise<void> {
  loadDotEnv();
  const program = new Command('kalshi-platform').description('Kalshi platform data tools').showHelpAfterError();
  for (const register of COMMANDS) register(program);
  await program.parseAsync(argv, { from: 'user' });
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`kalshi-platform: ${e.message}`);
  process.exit(1);
});
