import {
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  type CreateChangeSetCommandInput,
  type ResourceStatus,
  type StackStatus,
  type Parameter as SdkParameter,
  type Tag,
  type TemplateStage,
} from '@aws-sdk/client-cloudformation';
import { raise } from '../aws-errors';
import type { VirtualClock } from '../clock';
import { SANDBOX_ACCOUNT, SANDBOX_PARTITION, SANDBOX_REGION, SECONDS_PER_STACK_STEP } from '../constants';
import { route, type Route } from '../interceptor';
import type { SeededRandom } from '../random';
import { planChanges } from './change-set-diff';
import {
  alreadyExists,
  changeSetNotFound,
  invalidChangeSetStatus,
  stackDoesNotExist,
  stackWithIdDoesNotExist,
  validationError,
} from './errors';
import { EventWriter } from './events';
import { evaluateOutputs, materialize, resolveContext, resolveParameters, type EvaluatedOutput } from './intrinsics';
import type { SandboxChangeSet, SandboxStack } from './model';
import { startCreate, startDelete, startUpdate, type OnFailure, type OperationDependencies, type ResourceOperation } from './operations';
import { attributeOf } from './physical-ids';
import { parseTemplate, type Template } from './template';
import {
  MAX_TEMPLATE_BODY_BYTES,
  MAX_TEMPLATE_URL_BYTES,
  UPDATABLE_STATUSES,
  checkCapabilities,
  isArn,
  noEchoOf,
  outputsOrParametersChanged,
  parseS3Url,
  validateName,
} from './requests';
import { changeSetView, decodeToken, encodeToken, stackView } from './views';

/** Real DescribeChangeSet pages hold about a hundred changes; tests set smaller pages. */
export const DEFAULT_CHANGE_SET_PAGE_SIZE = 100;
export const DEFAULT_STACK_EVENTS_PAGE_SIZE = 100;
/** How many describes see a new change set CREATE_IN_PROGRESS before its outcome shows. */
export const DEFAULT_CHANGE_SET_CREATION_POLLS = 1;

/** GetTemplate's stages: the sandbox processes no transforms, so both are the same text. */
const TEMPLATE_STAGES: TemplateStage[] = ['Original', 'Processed'];

export const NO_CHANGES_REASON = "The submitted information didn't contain changes. Submit different information to create a change set.";

export interface CloudFormationOptions {
  changeSetPageSize: number;
  stackEventsPageSize: number;
  /** ListStacks and ListStackResources: 100 a page in AWS. */
  listPageSize: number;
  changeSetCreationPolls: number;
  /** Polls without progress added before every step of every stack operation (a slow account). */
  delayPolls: number;
}

/** "Resource X fails to create (or update, or delete) with reason R." */
export interface ResourceFailureRule {
  logicalId: string;
  operation: ResourceOperation;
  reason: string;
  /** Only in this stack; every stack when unset. */
  stackName?: string;
  /** How many times it fails; always when unset. */
  times?: number;
}

export interface CloudFormationDependencies {
  clock: VirtualClock;
  random: SeededRandom;
  /** Reads an object of the sandbox's S3, as CloudFormation reads a TemplateURL. */
  readObject: (bucket: string, key: string) => Uint8Array | undefined;
  /** The account and region this CloudFormation is of (stack and change set ARNs); the sandbox's own by default. */
  account?: string;
  region?: string;
  /**
   * Resources made to fail and change sets made to fail, shared with the sandbox's own account's
   * CloudFormation: a scenario's failures apply wherever its stack is.
   */
  shared?: { failures: ResourceFailureRule[]; changeSetFailures: string[] };
}

/**
 * The CloudFormation sandbox: stacks, their operations and events, and change sets computed from
 * templates. See `operations.ts` for the status sequences and `change-set-diff.ts` for the changes.
 */
export class CloudFormationSandbox {
  readonly options: CloudFormationOptions = {
    changeSetPageSize: DEFAULT_CHANGE_SET_PAGE_SIZE,
    stackEventsPageSize: DEFAULT_STACK_EVENTS_PAGE_SIZE,
    listPageSize: 100,
    changeSetCreationPolls: DEFAULT_CHANGE_SET_CREATION_POLLS,
    delayPolls: 0,
  };

  private readonly stacksById = new Map<string, SandboxStack>();
  /** The live (not DELETE_COMPLETE) stack of each name. */
  private readonly liveByName = new Map<string, string>();
  private readonly changeSets = new Map<string, SandboxChangeSet>();
  private readonly failures: ResourceFailureRule[];
  private readonly changeSetFailures: string[];
  private readonly slowdowns = new Map<string, number>();
  private readonly events: EventWriter;
  private readonly operationDeps: OperationDependencies;

  constructor(private readonly deps: CloudFormationDependencies) {
    this.failures = deps.shared?.failures ?? [];
    this.changeSetFailures = deps.shared?.changeSetFailures ?? [];
    this.events = new EventWriter(deps.clock, deps.random);
    this.operationDeps = {
      clock: deps.clock,
      random: deps.random,
      events: this.events,
      failureFor: (stack, logicalId, operation) => this.failureFor(stack, logicalId, operation),
      outputsOf: (stack) => this.outputsOf(stack),
      delayPollsFor: (stack) => {
        const extra = this.slowdowns.get(stack.stackName) ?? 0;
        this.slowdowns.delete(stack.stackName);
        return this.options.delayPolls + extra;
      },
    };
  }

  // ---- What tests and scenarios use -------------------------------------------------------

  /** Makes resource `logicalId` fail to create, update or delete with `reason`. */
  failResource(rule: ResourceFailureRule): void {
    this.failures.push({ ...rule });
  }

  /** The next change set created ends FAILED with this reason (e.g. a template error found late). */
  failNextChangeSet(reason: string): void {
    this.changeSetFailures.push(reason);
  }

  /** The stack's running operation (or its next one) sees no progress for `polls` more polls. */
  slowDown(stackName: string, polls: number): void {
    const stack = this.live(stackName);
    if (stack?.operation) stack.operation.delayPolls += polls;
    else this.slowdowns.set(stackName, (this.slowdowns.get(stackName) ?? 0) + polls);
  }

  /** The stack's state, by name (live stacks) or id (deleted ones too). */
  stack(nameOrId: string): SandboxStack | undefined {
    return isArn(nameOrId) ? this.stacksById.get(nameOrId) : this.live(nameOrId);
  }

  /** The failure rules, for another account's CloudFormation to share (Sandbox.cloudFormationIn). */
  sharedFailures(): { failures: ResourceFailureRule[]; changeSetFailures: string[] } {
    return { failures: this.failures, changeSetFailures: this.changeSetFailures };
  }

  allStacks(): SandboxStack[] {
    return [...this.stacksById.values()];
  }

  changeSetsOf(stackName: string): SandboxChangeSet[] {
    const stack = this.stack(stackName);
    return [...this.changeSets.values()].filter((changeSet) => changeSet.stackId === stack?.stackId);
  }

  /** Runs every running operation to its end, as if enough time had passed. */
  settle(): void {
    for (const stack of this.stacksById.values()) {
      while (stack.operation) this.advance(stack);
    }
  }

  /** A stack that already exists when the scenario starts; see `seed.ts`. */
  addStack(stack: SandboxStack): void {
    this.stacksById.set(stack.stackId, stack);
    if (stack.status !== 'DELETE_COMPLETE') this.liveByName.set(stack.stackName, stack.stackId);
  }

  newStack(stackName: string): SandboxStack {
    const stack: SandboxStack = {
      stackId: `arn:${SANDBOX_PARTITION}:cloudformation:${this.deps.region ?? SANDBOX_REGION}:${this.deps.account ?? SANDBOX_ACCOUNT}:stack/${stackName}/${this.deps.random.uuid()}`,
      stackName,
      status: 'REVIEW_IN_PROGRESS',
      creationTime: this.deps.clock.now(),
      parameters: {},
      noEchoParameters: new Set(),
      tags: [],
      capabilities: [],
      disableRollback: false,
      resources: new Map(),
      outputs: [],
      events: [],
      usedTokens: new Map(),
    };
    return stack;
  }

  operationDependencies(): OperationDependencies {
    return this.operationDeps;
  }

  // ---- The API ------------------------------------------------------------------------------

  routes(): Route[] {
    return [
      route('DescribeStacks', DescribeStacksCommand, (input) => {
        if (!input.StackName) {
          const live = [...this.liveByName.values()].map((id) => this.stacksById.get(id)).filter((stack): stack is SandboxStack => !!stack);
          live.forEach((stack) => this.advance(stack));
          return { Stacks: live.map(stackView) };
        }
        const stack = this.stack(input.StackName) ?? raise(stackWithIdDoesNotExist(input.StackName));
        this.advance(stack);
        return { Stacks: [stackView(stack)] };
      }),
      route('DescribeStackEvents', DescribeStackEventsCommand, (input) => {
        const name = input.StackName ?? '';
        const stack = this.stack(name) ?? raise(stackWithIdDoesNotExist(name));
        const { items, next } = pageOf(stack.events, input.NextToken, this.options.stackEventsPageSize);
        return { StackEvents: items.map((event) => ({ ...event })), ...next };
      }),
      route('ListStacks', ListStacksCommand, (input) => {
        const filter = input.StackStatusFilter?.length ? new Set<string>(input.StackStatusFilter) : undefined;
        const stacks = [...this.stacksById.values()];
        stacks.forEach((stack) => this.advance(stack));
        const { items, next } = pageOf(stacks.filter((stack) => !filter || filter.has(stack.status)), input.NextToken, this.options.listPageSize);
        return {
          StackSummaries: items.map((stack) => ({
            StackId: stack.stackId,
            StackName: stack.stackName,
            CreationTime: stack.creationTime,
            StackStatus: stack.status as StackStatus,
            ...(stack.lastUpdatedTime ? { LastUpdatedTime: stack.lastUpdatedTime } : {}),
            ...(stack.deletionTime ? { DeletionTime: stack.deletionTime } : {}),
          })),
          ...next,
        };
      }),
      route('ListStackResources', ListStackResourcesCommand, (input) => {
        const name = input.StackName ?? '';
        const stack = this.stack(name) ?? raise(stackWithIdDoesNotExist(name));
        const { items, next } = pageOf([...stack.resources.values()], input.NextToken, this.options.listPageSize);
        return {
          StackResourceSummaries: items.map((resource) => ({
            LogicalResourceId: resource.logicalId,
            PhysicalResourceId: resource.physicalId,
            ResourceType: resource.type,
            ResourceStatus: resource.status as ResourceStatus,
            LastUpdatedTimestamp: stack.lastUpdatedTime ?? stack.creationTime,
          })),
          ...next,
        };
      }),
      route('CreateStack', CreateStackCommand, (input) => this.createStack(input)),
      route('DeleteStack', DeleteStackCommand, (input) => {
        this.deleteStack(input.StackName ?? '', input.ClientRequestToken);
        return {};
      }),
      route('CreateChangeSet', CreateChangeSetCommand, (input) => this.createChangeSet(input)),
      route('DescribeChangeSet', DescribeChangeSetCommand, (input) => {
        const changeSet = this.findChangeSet(input.ChangeSetName ?? '', input.StackName);
        const start = decodeToken(input.NextToken) ?? raise(validationError('Invalid NextToken'));
        if (input.NextToken === undefined) this.advanceChangeSet(changeSet);
        return changeSetView(changeSet, { start, size: this.options.changeSetPageSize });
      }),
      route('ExecuteChangeSet', ExecuteChangeSetCommand, (input) => {
        this.executeChangeSet(input.ChangeSetName ?? '', input.StackName, input.ClientRequestToken, input.DisableRollback);
        return {};
      }),
      route('DeleteChangeSet', DeleteChangeSetCommand, (input) => {
        const changeSet = this.findChangeSet(input.ChangeSetName ?? '', input.StackName);
        if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS') {
          raise(invalidChangeSetStatus(`ChangeSet [${changeSet.changeSetId}] cannot be deleted in its current status of [EXECUTE_IN_PROGRESS]`));
        }
        this.changeSets.delete(changeSet.changeSetId);
        return {};
      }),
      route('ListChangeSets', ListChangeSetsCommand, (input) => {
        const name = input.StackName ?? '';
        const stack = this.stack(name) ?? raise(stackDoesNotExist(name));
        return {
          Summaries: [...this.changeSets.values()]
            .filter((changeSet) => changeSet.stackId === stack.stackId)
            .map((changeSet) => ({
              StackId: changeSet.stackId,
              StackName: changeSet.stackName,
              ChangeSetId: changeSet.changeSetId,
              ChangeSetName: changeSet.changeSetName,
              ExecutionStatus: changeSet.executionStatus as 'AVAILABLE',
              Status: changeSet.status as 'CREATE_COMPLETE',
              ...(changeSet.statusReason ? { StatusReason: changeSet.statusReason } : {}),
              CreationTime: changeSet.creationTime,
              ...(changeSet.description ? { Description: changeSet.description } : {}),
              IncludeNestedStacks: changeSet.includeNestedStacks,
            })),
        };
      }),
      route('GetTemplate', GetTemplateCommand, (input) => {
        if (input.ChangeSetName) {
          return { TemplateBody: this.findChangeSet(input.ChangeSetName, input.StackName).templateBody, StagesAvailable: TEMPLATE_STAGES };
        }
        const name = input.StackName ?? '';
        const stack = this.stack(name) ?? raise(stackWithIdDoesNotExist(name));
        return { TemplateBody: stack.templateBody ?? '{}', StagesAvailable: TEMPLATE_STAGES };
      }),
    ];
  }

  // ---- Internals ----------------------------------------------------------------------------

  /**
   * One step of every running stack operation, as time passing would make without anyone polling
   * (what event mode relies on). Returns whether any stack was still changing.
   */
  progress(): boolean {
    const running = [...this.stacksById.values()].filter((stack) => stack.operation);
    running.forEach((stack) => this.advance(stack));
    return running.length > 0;
  }

  private live(stackName: string): SandboxStack | undefined {
    const id = this.liveByName.get(stackName);
    return id ? this.stacksById.get(id) : undefined;
  }

  /** One poll's worth of progress on the stack's running operation. */
  private advance(stack: SandboxStack): void {
    const operation = stack.operation;
    if (!operation) return;
    this.deps.clock.advance(SECONDS_PER_STACK_STEP);
    if (operation.delayPolls > 0) {
      operation.delayPolls -= 1;
      return;
    }
    const step = operation.steps.shift();
    step?.();
    if (stack.operation === operation && operation.steps.length === 0) {
      stack.operation = undefined;
      if (stack.status === 'DELETE_COMPLETE' && this.liveByName.get(stack.stackName) === stack.stackId) {
        this.liveByName.delete(stack.stackName);
        for (const changeSet of this.changeSets.values()) if (changeSet.stackId === stack.stackId) this.changeSets.delete(changeSet.changeSetId);
      }
    }
  }

  private failureFor(stack: SandboxStack, logicalId: string, operation: ResourceOperation): string | undefined {
    const rule = this.failures.find(
      (candidate) =>
        candidate.logicalId === logicalId &&
        candidate.operation === operation &&
        (candidate.stackName === undefined || candidate.stackName === stack.stackName) &&
        (candidate.times === undefined || candidate.times > 0),
    );
    if (!rule) return undefined;
    if (rule.times !== undefined) rule.times -= 1;
    return rule.reason;
  }

  private outputsOf(stack: SandboxStack): EvaluatedOutput[] {
    if (!stack.template) return [];
    const context = resolveContext(stack.template, {
      stackName: stack.stackName,
      stackId: stack.stackId,
      parameters: stack.parameters,
      resources: (logicalId) => {
        const resource = stack.resources.get(logicalId);
        return resource && { ref: resource.physicalId, attribute: (name) => attributeOf(resource.type, logicalId, resource.physicalId, name) };
      },
      imports: (exportName) => this.exportedValue(exportName),
    });
    return evaluateOutputs(stack.template, context);
  }

  private exportedValue(exportName: string): string | undefined {
    for (const id of this.liveByName.values()) {
      const found = this.stacksById.get(id)?.outputs.find((output) => output.ExportName === exportName);
      if (found) return found.OutputValue;
    }
    return undefined;
  }

  /** The template text of a call: exactly one of TemplateBody and TemplateURL, within CloudFormation's limits. */
  private templateText(input: { TemplateBody?: string; TemplateURL?: string }): string {
    if ((input.TemplateBody === undefined) === (input.TemplateURL === undefined)) {
      raise(validationError('Either Template URL or Template Body must be specified.'));
    }
    if (input.TemplateBody !== undefined) {
      if (Buffer.byteLength(input.TemplateBody, 'utf8') > MAX_TEMPLATE_BODY_BYTES) {
        raise(
          validationError(
            `1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY_BYTES}`,
          ),
        );
      }
      return input.TemplateBody;
    }
    const url = input.TemplateURL ?? '';
    const location = parseS3Url(url) ?? raise(validationError('TemplateURL must be a supported URL.'));
    const bytes =
      this.deps.readObject(location.bucket, location.key) ??
      raise(validationError('S3 error: Access Denied For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html'));
    if (bytes.byteLength > MAX_TEMPLATE_URL_BYTES) raise(validationError(`Template may not exceed ${MAX_TEMPLATE_URL_BYTES} bytes in size.`));
    return new TextDecoder('utf-8').decode(bytes);
  }

  private deployTemplateOf(stack: SandboxStack, template: Template, parameters: Record<string, string>): Template {
    return materialize(template, resolveContext(template, { stackName: stack.stackName, stackId: stack.stackId, parameters }));
  }

  private claimToken(stack: SandboxStack, token: string | undefined, operation: string): boolean {
    if (!token) return false;
    const used = stack.usedTokens.get(token);
    if (used === operation) return true;
    if (used) raise(validationError(`Another Stack operation with ClientRequestToken ${token} already exists.`));
    stack.usedTokens.set(token, operation);
    return false;
  }

  private createStack(input: {
    StackName?: string;
    TemplateBody?: string;
    TemplateURL?: string;
    Parameters?: SdkParameter[];
    Capabilities?: string[];
    RoleARN?: string;
    OnFailure?: string;
    DisableRollback?: boolean;
    Tags?: Tag[];
    ClientRequestToken?: string;
    StackPolicyBody?: string;
  }): { StackId: string } {
    const stackName = validateName(input.StackName, 'stackName');
    const existing = this.live(stackName);
    if (existing) {
      if (input.ClientRequestToken && existing.usedTokens.get(input.ClientRequestToken) === 'CreateStack') return { StackId: existing.stackId };
      raise(alreadyExists(`Stack [${stackName}] already exists`));
    }
    const text = this.templateText(input);
    const template = parseTemplate(text);
    const parameters = resolveParameters(template, input.Parameters);
    checkCapabilities(template, input.Capabilities);
    const stack = this.newStack(stackName);
    stack.description = template.Description;
    stack.noEchoParameters = noEchoOf(template);
    stack.tags = input.Tags ?? [];
    stack.capabilities = input.Capabilities ?? [];
    stack.roleArn = input.RoleARN;
    stack.stackPolicyBody = input.StackPolicyBody;
    stack.disableRollback = input.DisableRollback ?? false;
    this.claimToken(stack, input.ClientRequestToken, 'CreateStack');
    this.addStack(stack);
    const onFailure: OnFailure = input.DisableRollback ? 'DO_NOTHING' : ((input.OnFailure as OnFailure | undefined) ?? 'ROLLBACK');
    startCreate(stack, this.operationDeps, {
      template,
      templateBody: text,
      deployTemplate: this.deployTemplateOf(stack, template, parameters),
      parameters,
      token: input.ClientRequestToken,
      onFailure,
    });
    return { StackId: stack.stackId };
  }

  private deleteStack(nameOrId: string, token: string | undefined): void {
    const stack = this.stack(nameOrId);
    // Deleting a stack that is not there succeeds: DeleteStack is idempotent.
    if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return;
    if (this.claimToken(stack, token, 'DeleteStack')) return;
    if (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'REVIEW_IN_PROGRESS') {
      raise(validationError(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`));
    }
    for (const changeSet of this.changeSets.values()) if (changeSet.stackId === stack.stackId) this.changeSets.delete(changeSet.changeSetId);
    startDelete(stack, this.operationDeps, token);
  }

  private findChangeSet(nameOrArn: string, stackName: string | undefined): SandboxChangeSet {
    if (isArn(nameOrArn)) return this.changeSets.get(nameOrArn) ?? raise(changeSetNotFound(nameOrArn));
    if (!stackName) raise(validationError('StackName must be specified if ChangeSetName is not specified as an ARN.'));
    const stack = this.stack(stackName) ?? raise(stackDoesNotExist(stackName));
    const found = [...this.changeSets.values()].find((changeSet) => changeSet.stackId === stack.stackId && changeSet.changeSetName === nameOrArn);
    return found ?? raise(changeSetNotFound(nameOrArn));
  }

  private advanceChangeSet(changeSet: SandboxChangeSet): void {
    if (changeSet.status !== 'CREATE_PENDING' && changeSet.status !== 'CREATE_IN_PROGRESS') return;
    if (changeSet.pendingPolls > 0) {
      changeSet.pendingPolls -= 1;
      changeSet.status = 'CREATE_IN_PROGRESS';
      return;
    }
    changeSet.status = changeSet.outcome.status;
    if (changeSet.outcome.status === 'FAILED') {
      changeSet.statusReason = changeSet.outcome.reason;
      changeSet.executionStatus = 'UNAVAILABLE';
    } else {
      changeSet.executionStatus = 'AVAILABLE';
    }
  }

  private createChangeSet(input: CreateChangeSetCommandInput): { Id: string; StackId: string } {
    const stackName = validateName(input.StackName, 'stackName');
    const changeSetName = validateName(input.ChangeSetName, 'changeSetName');
    const type = input.ChangeSetType ?? 'UPDATE';
    if (type !== 'UPDATE' && type !== 'CREATE') raise(validationError(`ChangeSetType ${type} is not supported by the offline sandbox.`));
    let stack = this.live(stackName);
    if (type === 'UPDATE') {
      if (!stack) raise(stackDoesNotExist(stackName));
      if (!UPDATABLE_STATUSES.has(stack.status)) raise(validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`));
    } else if (stack && stack.status !== 'REVIEW_IN_PROGRESS') {
      raise(validationError(`Stack [${stackName}] already exists and cannot be created again with the changeSet [${changeSetName}].`));
    }
    const sameName = stack && [...this.changeSets.values()].find((changeSet) => changeSet.stackId === stack?.stackId && changeSet.changeSetName === changeSetName);
    if (sameName) {
      if (input.ClientToken && sameName.clientToken === input.ClientToken) return { Id: sameName.changeSetId, StackId: sameName.stackId };
      raise(
        alreadyExists(
          input.ClientToken || sameName.clientToken
            ? `ChangeSet ${changeSetName} cannot be created due to a mismatch with existing attribute ClientToken`
            : `ChangeSet [${changeSetName}] already exists`,
        ),
      );
    }
    const text = input.UsePreviousTemplate ? (stack?.templateBody ?? raise(validationError('The stack has no previous template to use.'))) : this.templateText(input);
    const template = parseTemplate(text);
    const parameters = resolveParameters(template, input.Parameters, stack?.parameters);
    checkCapabilities(template, input.Capabilities);
    if (!stack) {
      stack = this.newStack(stackName);
      stack.description = template.Description;
      this.addStack(stack);
      this.events.stack(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    }
    const target = stack;
    const deployTemplate = this.deployTemplateOf(target, template, parameters);
    const before = target.template ? this.deployTemplateOf(target, target.template, target.parameters) : undefined;
    const changedParameters = new Set(
      [...new Set([...Object.keys(parameters), ...Object.keys(target.parameters)])].filter((key) => parameters[key] !== target.parameters[key]),
    );
    const plan = planChanges({
      before,
      after: deployTemplate,
      rawBefore: target.template,
      rawAfter: template,
      changedParameters,
      deployed: target.resources,
    });
    const injected = this.changeSetFailures.shift();
    const outcome: SandboxChangeSet['outcome'] = injected
      ? { status: 'FAILED', reason: injected }
      : plan.typeChanges.length
        ? {
            status: 'FAILED',
            reason: `Update of resource type is not permitted. The new template modifies resource type of the following resources: [${plan.typeChanges.join(', ')}]`,
          }
        : plan.changes.length === 0 && type === 'UPDATE' && !outputsOrParametersChanged(target, template, changedParameters)
          ? { status: 'FAILED', reason: NO_CHANGES_REASON }
          : { status: 'CREATE_COMPLETE' };
    const changeSetId = `arn:${SANDBOX_PARTITION}:cloudformation:${this.deps.region ?? SANDBOX_REGION}:${this.deps.account ?? SANDBOX_ACCOUNT}:changeSet/${changeSetName}/${this.deps.random.uuid()}`;
    this.changeSets.set(changeSetId, {
      changeSetId,
      changeSetName,
      stackId: target.stackId,
      stackName: target.stackName,
      type,
      description: input.Description,
      status: 'CREATE_PENDING',
      executionStatus: 'UNAVAILABLE',
      creationTime: this.deps.clock.now(),
      clientToken: input.ClientToken,
      templateBody: text,
      template,
      deployTemplate,
      parameters,
      onStackFailure: (input.OnStackFailure as SandboxChangeSet['onStackFailure'] | undefined) ?? 'ROLLBACK',
      sdkParameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      tags: input.Tags ?? [],
      capabilities: input.Capabilities ?? [],
      roleArn: input.RoleARN,
      includeNestedStacks: input.IncludeNestedStacks ?? false,
      changes: plan.changes,
      outcome,
      pendingPolls: this.options.changeSetCreationPolls,
    });
    return { Id: changeSetId, StackId: target.stackId };
  }

  private executeChangeSet(nameOrArn: string, stackName: string | undefined, token: string | undefined, disableRollback: boolean | undefined): void {
    const changeSet = this.findChangeSet(nameOrArn, stackName);
    if (token && changeSet.executionToken === token) return;
    if (changeSet.status !== 'CREATE_COMPLETE') {
      raise(invalidChangeSetStatus(`ChangeSet [${changeSet.changeSetId}] cannot be executed in its current status of [${changeSet.status}]`));
    }
    if (changeSet.executionStatus !== 'AVAILABLE') {
      raise(
        invalidChangeSetStatus(`ChangeSet [${changeSet.changeSetId}] cannot be executed in its current execution status of [${changeSet.executionStatus}]`),
      );
    }
    const stack = this.stacksById.get(changeSet.stackId) ?? raise(stackDoesNotExist(changeSet.stackName));
    if (stack.operation) raise(validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`));
    this.claimToken(stack, token, 'ExecuteChangeSet');
    changeSet.executionToken = token;
    changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
    stack.changeSetId = changeSet.changeSetId;
    stack.capabilities = changeSet.capabilities;
    stack.tags = changeSet.tags.length ? changeSet.tags : stack.tags;
    stack.roleArn = changeSet.roleArn ?? stack.roleArn;
    stack.noEchoParameters = noEchoOf(changeSet.template);
    // CloudFormation drops a stack's other change sets once one is executed: they no longer apply.
    for (const other of this.changeSets.values()) {
      if (other.stackId === stack.stackId && other !== changeSet) this.changeSets.delete(other.changeSetId);
    }
    if (changeSet.type === 'CREATE') {
      startCreate(stack, this.operationDeps, {
        template: changeSet.template,
        templateBody: changeSet.templateBody,
        deployTemplate: changeSet.deployTemplate,
        parameters: changeSet.parameters,
        token,
        onFailure: disableRollback ? 'DO_NOTHING' : changeSet.onStackFailure,
        onComplete: (succeeded) => {
          changeSet.executionStatus = succeeded ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED';
        },
      });
    } else {
      startUpdate(stack, this.operationDeps, changeSet, token);
    }
  }
}

/** One page of a list, as the paginated CloudFormation APIs answer: the items and, when more follow, a `NextToken`. */
function pageOf<T>(all: T[], nextToken: string | undefined, size: number): { items: T[]; next: { NextToken?: string } } {
  const start = decodeToken(nextToken) ?? raise(validationError('Invalid NextToken'));
  return { items: all.slice(start, start + size), next: start + size < all.length ? { NextToken: encodeToken(start + size) } : {} };
}
