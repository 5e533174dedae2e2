/** Links to the AWS console that an operator can follow from an error message. */

const CONSOLE_HOSTS: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/** The stack's page in the CloudFormation console, from its id (an ARN); a name gives the stack list. */
export function stackConsoleUrl(stackIdOrName: string): string {
  const arn = /^arn:([a-z-]+):cloudformation:([a-z0-9-]+):/.exec(stackIdOrName);
  if (!arn) return `https://${CONSOLE_HOSTS.aws}/cloudformation/home#/stacks?filteringText=${encodeURIComponent(stackIdOrName)}`;
  const [, partition, region] = arn;
  const host = CONSOLE_HOSTS[partition] ?? CONSOLE_HOSTS.aws;
  return `https://${host}/cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${encodeURIComponent(stackIdOrName)}`;
}
