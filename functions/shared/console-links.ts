/**
 * Where a person looks next: console addresses for an execution and a stack, in the region and
 * partition an ARN names. A partition without a known console gets no link.
 */

const CONSOLE_HOSTS: Readonly<Record<string, (region: string) => string>> = {
  aws: (region) => `https://${region}.console.aws.amazon.com`,
  'aws-cn': (region) => `https://${region}.console.amazonaws.cn`,
  'aws-us-gov': () => 'https://console.amazonaws-us-gov.com',
};

function consoleHost(arn: string): { host: string; region: string } | undefined {
  const [prefix, partition, , region] = arn.split(':');
  const host = prefix === 'arn' && partition && region ? CONSOLE_HOSTS[partition] : undefined;
  return host && { host: host(region), region };
}

/** The Step Functions console page of an execution, or undefined. */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const where = consoleHost(executionArn);
  return where && `${where.host}/states/home?region=${where.region}#/v2/executions/details/${executionArn}`;
}

/**
 * The CloudFormation console's page of a stack: its own page when given its id (an ARN), else the
 * stack list filtered to its name in the region of `regionArn` (any ARN of that region), or undefined.
 */
export function stackConsoleUrl(stackIdOrName: string, regionArn: string = stackIdOrName): string | undefined {
  const where = consoleHost(stackIdOrName) ?? consoleHost(regionArn);
  if (!where) return undefined;
  const page = stackIdOrName.startsWith('arn:')
    ? `#/stacks/stackinfo?stackId=${encodeURIComponent(stackIdOrName)}`
    : `#/stacks?filteringText=${encodeURIComponent(stackIdOrName)}&filteringStatus=active&viewNested=true`;
  return `${where.host}/cloudformation/home?region=${where.region}${page}`;
}

/** `name (url)` when there is a link, else the name. */
export function withLink(name: string, url: string | undefined): string {
  return url ? `${name} (${url})` : name;
}
