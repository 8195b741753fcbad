/**
 * `npx kalshi-platform <command>` (issue #4): the platform's data tools. Each command lives in ./commands and
 * registers itself on the program; configuration comes from flags, then the environment (`KALSHI_*`, `QUESTDB_ADDR`,
 * `DATABASE_URL`, `REDIS_URL`), then a `.env` file in the working directory.
 *
 * Tracing and logs (libs/telemetry): OpenTelemetry tracing, export off unless `OTEL_TRACES_EXPORTER` /
 * `OTEL_EXPORTER_OTLP_ENDPOINT` say otherwise; NestJS-style logs as pino lines on stderr (`LOG_FORMAT`, `LOG_LEVEL`),
 * the commands' output on stdout unchanged.
 */
import { Command } from 'commander';
import { config as loadDotEnv } from 'dotenv';
import { createAppLogger, startTracing } from '@kalshi-platform/telemetry';
import { COMMANDS } from './commands';

async function main(argv: string[]): Promise<void> {
  // .env in the working directory; never overrides what the environment already has
  loadDotEnv();
  const tracing = startTracing({ serviceName: 'kalshi-platform-cli' });
  createAppLogger({ service: 'kalshi-platform-cli', destination: 'stderr' });
  const program = new Command('kalshi-platform').description('Kalshi platform data tools').showHelpAfterError();
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } finally {
    await tracing.shutdown().catch(() => undefined);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`kalshi-platform: ${e.message}`);
  process.exit(1);
});
