import { CloudFormationClient, DeleteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { CHANGE_SET_REJECTED, handler } from '../../functions/delete-change-set/handler';
import { AwsCallError, AwsTransientError } from '../../functions/shared/errors';
import { CHANGE_SET_ID, awsError } from '../helpers/aws';
import { changeSetNotFound, changeSetState, commandsSent, deployment, offendingChange, rejectionOf, unsafeInspection } from './helpers';

const cfn = mockClient(CloudFormationClient);
const READY = changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY' });
const INSPECTION = unsafeInspection([
  offendingChange(),
  offendingChange({
    logicalResourceId: 'topic123',
    resourceType: 'AWS::SNS::Topic',
    action: 'Modify',
    replacement: 'True',
    physicalResourceId: undefined,
    rule: 'replacement',
    reason: 'replaces the resource',
    causes: ['Properties.TopicName (always replaces, DirectModification)'],
  }),
]);
const REJECTION_HEAD = 'Change set deploy-exec-1 on stack prod-app was rejected and deleted, not executed: 2 resource change(s) would remove or replace resources.';

beforeEach(() => {
  cfn.reset();
  cfn.on(DeleteChangeSetCommand).resolves({});
});

describe('Delete Change Set', () => {
  it('deletes the unsafe change set, never executes it, and returns the rejection naming every offending resource', async () => {
    const failure = await handler({ deployment: deployment(), changeSet: READY, inspection: INSPECTION });

    expect(commandsSent(cfn)).toEqual(['DeleteChangeSet']);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input.ChangeSetName).toBe(CHANGE_SET_ID);
    expect(failure.Error).toBe(CHANGE_SET_REJECTED);
    expect(CHANGE_SET_REJECTED).toBe('ChangeSetRejected');
    expect(failure.Cause.split('\n')).toEqual([
      REJECTION_HEAD,
      '- MyEC2Instance (AWS::EC2::Instance) [i-1abc23d4]: Remove: deletes the resource',
      '- topic123 (AWS::SNS::Topic): Modify, Replacement True: replaces the resource; forced by Properties.TopicName (always replaces, DirectModification)',
      expect.stringMatching(/^Nothing was changed\./),
    ]);
  });

  it('treats a change set already gone (the published ChangeSetNotFound) as deleted, and still rejects', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(changeSetNotFound());

    const failure = await handler({ deployment: deployment(), changeSet: READY, inspection: INSPECTION });

    expect(failure).toMatchObject({ Error: 'ChangeSetRejected' });
    expect(failure.Cause.startsWith(REJECTION_HEAD)).toBe(true);
  });

  it('keeps the rejection in the error when the deletion fails', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(awsError('AccessDenied', 'not authorized to perform: cloudformation:DeleteChangeSet', 403));

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: READY, inspection: INSPECTION }));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message.startsWith(`${REJECTION_HEAD}\n- MyEC2Instance`)).toBe(true);
    expect(error.message).toContain('\nThe change set could not be deleted: CloudFormation DeleteChangeSet deploy-exec-1 on prod-app failed with AccessDenied');
  });

  it('keeps the rejection in a throttled deletion too, which the state retries', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: READY, inspection: INSPECTION }));

    expect(error).toBeInstanceOf(AwsTransientError);
    expect(error.message).toContain(REJECTION_HEAD);
    expect(error.message).toContain('The change set could not be deleted: ');
  });
});
