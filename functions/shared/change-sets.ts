import { DescribeChangeSetCommand, type Change, type DescribeChangeSetCommandOutput } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from './cloudformation-client';
import { errorName, toDeploymentError } from './aws-errors';
import { ChangeSetSupersededError } from './errors';

/**
 * The reasons CloudFormation gives when a change set has nothing to change. Such a change set ends
 * FAILED, but for a deployment it is a successful no-op.
 */
const NO_CHANGES_REASONS = [/didn't contain changes/i, /No updates are to be performed/i];

export function isNoChangesReason(reason: string | undefined): boolean {
  return NO_CHANGES_REASONS.some((pattern) => pattern.test(reason ?? ''));
}

export interface ChangeSetRef {
  /** A change set name (with `stackName`) or a change set ARN (alone). */
  changeSet: string;
  stackName?: string;
}

/**
 * One page of a change set: status, and the changes on that page. A change set of ours that is
 * gone was deleted under the deployment, which CloudFormation does when another one is executed.
 */
export async function describeChangeSetPage(ref: ChangeSetRef, nextToken?: string): Promise<DescribeChangeSetCommandOutput> {
  try {
    return await cloudFormation.send(new DescribeChangeSetCommand({ ChangeSetName: ref.changeSet, StackName: ref.stackName, NextToken: nextToken }));
  } catch (error) {
    if (errorName(error) === 'ChangeSetNotFoundException') throw supersededError(ref.changeSet, ref.stackName);
    throw toDeploymentError(error, `CloudFormation DescribeChangeSet ${ref.changeSet}`);
  }
}

export function supersededError(changeSet: string, stackName: string | undefined): ChangeSetSupersededError {
  const stack = stackName ?? /:stack\/([^/]+)\//.exec(changeSet)?.[1] ?? 'the stack';
  return new ChangeSetSupersededError(
    `The change set ${changeSet} was deleted while this deployment ran: CloudFormation deletes a stack's other change sets when one is executed, so another deployment (or someone in the console) changed stack ${stack} meanwhile. Nothing of this deployment was executed; run it again to deploy on top of that change.`,
  );
}

/** A change with the path of nested stacks it sits in (`Parent/Child/` for a resource of a nested stack). */
export interface LocatedChange {
  path: string;
  change: Change;
}

/**
 * Every change of a change set: every page, and every page of each nested stack's own change set
 * (a nested stack's changes are not in its parent's pages, only a pointer to them).
 */
export async function allChanges(ref: ChangeSetRef, path = ''): Promise<LocatedChange[]> {
  const located: LocatedChange[] = [];
  let nextToken: string | undefined;
  do {
    const page = await describeChangeSetPage(ref, nextToken);
    for (const change of page.Changes ?? []) {
      located.push({ path, change });
      const resource = change.ResourceChange;
      if (resource?.ResourceType === 'AWS::CloudFormation::Stack' && resource.ChangeSetId) {
        located.push(...(await allChanges({ changeSet: resource.ChangeSetId }, `${path}${resource.LogicalResourceId}/`)));
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return located;
}

/** How to name our change set in a call: by ARN when CloudFormation gave one, else by name and stack. */
export function changeSetRef(stackName: string, changeSet: { id: string }): ChangeSetRef {
  return changeSet.id.startsWith('arn:') ? { changeSet: changeSet.id } : { changeSet: changeSet.id, stackName };
}
