import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { toDeploymentError } from '../shared/aws-errors';
import { AwsCallError } from '../shared/errors';
import type { LiveNames } from '../shared/fixed-names';

/** ListStackResources pages hold 100 resources; a stack holds at most 500 (CloudFormation's quota, 2,500 with nesting spread out). */
const MAX_RESOURCE_PAGES = 30;

/** The live stack's resources (logical id, type, physical id) and its outputs' export names. */
export async function liveNamesOf(stackName: string): Promise<LiveNames> {
  const resources: LiveNames['resources'] = [];
  let nextToken: string | undefined;
  let page = 0;
  do {
    if (page++ >= MAX_RESOURCE_PAGES) {
      throw new AwsCallError(`CloudFormation ListStackResources ${stackName} returned more than ${MAX_RESOURCE_PAGES} pages; its names could not be read whole, so no new stack was created.`);
    }
    const response = await cloudFormation
      .send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }))
      .catch((error: unknown) => {
        throw toDeploymentError(error, `CloudFormation ListStackResources ${stackName}`);
      });
    for (const summary of response.StackResourceSummaries ?? []) {
      if (!summary.LogicalResourceId || !summary.ResourceType) continue;
      resources.push({ logicalId: summary.LogicalResourceId, type: summary.ResourceType, ...(summary.PhysicalResourceId ? { physicalId: summary.PhysicalResourceId } : {}) });
    }
    nextToken = response.NextToken;
  } while (nextToken);

  const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
    throw toDeploymentError(error, `CloudFormation DescribeStacks ${stackName}`);
  });
  const exports = (described.Stacks?.[0]?.Outputs ?? [])
    .filter((output) => output.OutputKey && output.ExportName)
    .map((output) => ({ outputKey: output.OutputKey as string, exportName: output.ExportName as string }));
  return { resources, exports };
}
