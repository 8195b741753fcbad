/** Shared command-line plumbing of the `kalshi-platform` commands. */

/**
 * Parses a command's flags; a bad-input error (`isArgError`) prints `kalshi-platform <command>: <message>` to stderr
 * and exits with code 2, the CLI's contract for bad arguments. Any other error propagates (exit 1 from main).
 */
export function optionsOrExit<T>(command: string, isArgError: (e: unknown) => boolean, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isArgError(e)) {
      process.stderr.write(`kalshi-platform ${command}: ${(e as Error).message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

/** {@link optionsOrExit} for async work whose bad-input errors (an unreadable input file, say) are exit 2 too. */
export async function resultOrExit<T>(command: string, isArgError: (e: unknown) => boolean, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isArgError(e)) {
      process.stderr.write(`kalshi-platform ${command}: ${(e as Error).message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
