/** `npm run bench`: every benchmark, one after the other, printing figures. */
import { waitingStrategies } from './waiting-strategies';
import { offlineSpeed } from './offline-speed';
import { functionBundles } from './function-bundles';

async function main(): Promise<void> {
  waitingStrategies();
  console.log('');
  await offlineSpeed();
  console.log('');
  functionBundles();
}

void main();
