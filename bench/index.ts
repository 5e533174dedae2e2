/** `npm run bench`: every benchmark, one after the other, printing figures. */
import { waitingCost } from './waiting-cost';
import { offlineSpeed } from './offline-speed';
import { functionBundles } from './function-bundles';

async function main(): Promise<void> {
  waitingCost();
  console.log('');
  await offlineSpeed();
  console.log('');
  functionBundles();
}

void main();
