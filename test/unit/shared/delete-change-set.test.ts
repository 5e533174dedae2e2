import { CloudFormationClient, DeleteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteChangeSet } from '../../../functions/shared/delete-change-set';
import { AwsCallError, AwsTransientError } from '../../../functions/shared/errors';
import { CHANGE_SET_ID, STACK_NAME, awsError } from '../../helpers/aws';
import { CHANGE_SET_NAME, changeSetNotFound, changeSetState, deployment, rejectionOf } from '../helpers';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  cfn.reset();
});

describe('deleteChangeSet', () => {
  it('deletes the change set by its ARN', async () => {
    cfn.on(DeleteChangeSetCommand).resolves({});

    await deleteChangeSet(deployment(), changeSetState());

    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_ID, StackName: undefined });
  });

  it('deletes by name and stack when CloudFormation gave no ARN', async () => {
    cfn.on(DeleteChangeSetCommand).resolves({});

    await deleteChangeSet(deployment(), changeSetState({ id: CHANGE_SET_NAME }));

    expect(cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_NAME, StackName: STACK_NAME });
  });

  it('counts a change set already gone (the published ChangeSetNotFound, as the SDK throws it) as deleted', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(changeSetNotFound());

    await expect(deleteChangeSet(deployment(), changeSetState())).resolves.toBeUndefined();
  });

  it('lets a throttled delete be retried', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(deleteChangeSet(deployment(), changeSetState())).rejects.toBeInstanceOf(AwsTransientError);
  });

  it('reports any other error with the change set and the stack', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(awsError('InvalidChangeSetStatus', 'Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS'));

    const error = await rejectionOf(deleteChangeSet(deployment(), changeSetState()));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      'CloudFormation DeleteChangeSet deploy-exec-1 on prod-app failed with InvalidChangeSetStatus: Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS.',
    );
  });
});
