/**
 * `npx kalshi-platform <command>` (issue #4): the platform's data tools. Each command lives in ./commands and
 * registers itself on the program; configuration comes from flags, then the environment (`KALSHI_*`, `QUESTDB_ADDR`,
 * `DATABASE_URL`, `REDIS_URL`), then a `.env` file in the working directory.
 */
import { Command } from 'commander';
import { config as loadDotEnv } from 'dotenv';
import { COMMANDS } from './commands';

async function main(argv: string[]): Promise<void> {
  // .env in the working directory; never overrides what the environment already has
  loadDotEnv();
  const program = new Command('kalshi-platform').description('Kalshi platform data tools').showHelpAfterError();
  for (const register of COMMANDS) register(program);
  await program.parseAsync(argv, { from: 'user' });
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`kalshi-platform: ${e.message}`);
  process.exit(1);
});
