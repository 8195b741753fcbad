/**
 * `npm run bench`: every benchmark of the repository, one after another, in one process.
 * Prints the command and the machine once, then median and spread per measurement.
 */
import { runBookBench } from './book.bench';
import { runDetectorBench } from './detector.bench';
import { runIlpBench } from './ilp.bench';
import { runPipelineBench } from './pipeline.bench';
import { runMatchingBench } from './matching.bench';
import { runReplayEmbeddedBench } from './replay-embedded.bench';
import { runRestBench } from './rest.bench';
import { runWsFanoutBench } from './ws-fanout.bench';
import { printHeader } from './harness';

async function main(): Promise<void> {
  printHeader();
  console.log('\n# order book (libs/market)');
  await runBookBench();
  console.log('\n# arbitrage detector (libs/strategy)');
  await runDetectorBench();
  console.log('\n# matching engine (libs/matching) vs nodejs-order-book');
  await runMatchingBench();
  console.log('\n# pipeline');
  await runPipelineBench();
  console.log('\n# tick store: ILP encoding, rows -> request bodies (libs/storage), official client vs ours');
  await runIlpBench();
  console.log('\n# replay: demo capture -> embedded DuckDB tick store, end to end (apps/cli replay --to embedded)');
  await runReplayEmbeddedBench();
  console.log('\n# mock exchange REST: POST /portfolio/orders under load (autocannon; exchange in a child process)');
  await runRestBench();
  console.log('\n# mock exchange WebSocket: fan-out to 100 subscribers (exchange in a child process)');
  await runWsFanoutBench();
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
