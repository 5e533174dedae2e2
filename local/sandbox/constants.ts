/** Where the sandbox pretends to be. Every ARN, URL and id it makes uses these. */
export const SANDBOX_REGION = 'us-east-1';
export const SANDBOX_ACCOUNT = '123456789012';
export const SANDBOX_PARTITION = 'aws';

/** Virtual time starts here, so ids, timestamps and outputs are the same on every run. */
export const VIRTUAL_EPOCH = Date.UTC(2024, 4, 1, 12, 0, 0);
/** Virtual seconds that pass on each API call: enough to keep event timestamps in order. */
export const SECONDS_PER_CALL = 1;
/** Virtual seconds one step of a stack operation takes (what one poll of DescribeStacks observes). */
export const SECONDS_PER_STACK_STEP = 15;

/** The seed of the sandbox's random numbers when a test does not give one. */
export const DEFAULT_SEED = 20240501;
