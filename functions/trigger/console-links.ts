/**
 * Where a person looks next: console addresses for an execution and a stack. Built from the
 * execution ARN's partition and region; a partition without a known console gets no link.
 */

const CONSOLE_HOSTS: Readonly<Record<string, (region: string) => string>> = {
  aws: (region) => `https://${region}.console.aws.amazon.com`,
  'aws-cn': (region) => `https://${region}.console.amazonaws.cn`,
  'aws-us-gov': () => 'https://console.amazonaws-us-gov.com',
};

interface ArnPlace {
  partition: string;
  region: string;
}

function placeOf(arn: string): ArnPlace | undefined {
  const [prefix, partition, , region] = arn.split(':');
  return prefix === 'arn' && partition && region ? { partition, region } : undefined;
}

function consoleHost(arn: string): { host: string; region: string } | undefined {
  const place = placeOf(arn);
  const host = place && CONSOLE_HOSTS[place.partition];
  return place && host ? { host: host(place.region), region: place.region } : undefined;
}

/** The Step Functions console page of an execution, or undefined. */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const where = consoleHost(executionArn);
  return where && `${where.host}/states/home?region=${where.region}#/v2/executions/details/${executionArn}`;
}

/** The CloudFormation console's stack list filtered to this stack, in the execution's region, or undefined. */
export function stackConsoleUrl(executionArn: string, stackName: string): string | undefined {
  const where = consoleHost(executionArn);
  return where && `${where.host}/cloudformation/home?region=${where.region}#/stacks?filteringText=${encodeURIComponent(stackName)}&filteringStatus=active&viewNested=true`;
}

/** `name (url)` when there is a link, else the name. */
export function withLink(name: string, url: string | undefined): string {
  return url ? `${name} (${url})` : name;
}
