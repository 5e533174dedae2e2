/**
 * Every task Lambda's handler by the name of its state in `statemachine/deploy.asl.json`: what the
 * local engine runs in place of each Lambda. A test keeps it in step with the definition.
 */
import { handler as prepareDeployment } from './prepare-deployment/handler';
import { handler as checkStackExistence } from './check-stack-existence/handler';
import { handler as deleteFailedStack } from './delete-failed-stack/handler';
import { handler as getFailedStackDeletionStatus } from './get-failed-stack-deletion-status/handler';
import { handler as createStack } from './create-stack/handler';
import { handler as getStackCreationStatus } from './get-stack-creation-status/handler';
import { handler as createChangeSet } from './create-change-set/handler';
import { handler as getChangeSetCreationStatus } from './get-change-set-creation-status/handler';
import { handler as deleteEmptyChangeSet } from './delete-empty-change-set/handler';
import { handler as inspectChangeSetChanges } from './inspect-change-set-changes/handler';
import { handler as executeChangeSet } from './execute-change-set/handler';
import { handler as getStackUpdateStatus } from './get-stack-update-status/handler';
import { handler as deleteChangeSet } from './delete-change-set/handler';
import { handler as cleanUpChangeSet } from './clean-up-change-set/handler';
import { handler as awaitStackEvent } from './await-stack-event/handler';
import { handler as awaitApproval } from './await-approval/handler';
import { handler as findLiveGeneration } from './find-live-generation/handler';
import { handler as planNewStack } from './plan-new-stack/handler';

/** A task Lambda's handler as the local engine calls it: the state's input in, its result out. */
// The engine hands over parsed JSON; each handler validates its own event, so the parameter is `any` here only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskHandler = (event: any) => Promise<unknown>;

export const TASK_HANDLERS: Record<string, TaskHandler> = {
  'Prepare Deployment': prepareDeployment,
  'Check Stack Existence': checkStackExistence,
  'Delete Failed Stack': deleteFailedStack,
  'Get Failed Stack Deletion Status': getFailedStackDeletionStatus,
  'Create Stack': createStack,
  'Get Stack Creation Status': getStackCreationStatus,
  'Create Change Set': createChangeSet,
  'Get Change Set Creation Status': getChangeSetCreationStatus,
  'Delete Empty Change Set': deleteEmptyChangeSet,
  'Inspect Change Set Changes': inspectChangeSetChanges,
  'Execute Change Set': executeChangeSet,
  'Get Stack Update Status': getStackUpdateStatus,
  'Delete Change Set': deleteChangeSet,
  'Clean Up Change Set': cleanUpChangeSet,
  'Await Stack Event': awaitStackEvent,
  'Await Approval': awaitApproval,
  'Find Live Generation': findLiveGeneration,
  'Plan New Stack': planNewStack,
};
