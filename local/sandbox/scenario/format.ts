import { z } from 'zod';

/**
 * A scenario file (`examples/scenarios/<name>/scenario.yaml`): the world before a deployment
 * (stacks, artifact, faults, resources that fail), the deployment's input document, and what
 * should come out. File references are relative to the scenario's folder.
 */
const StackSeedSchema = z.strictObject({
  stackName: z.string().min(1),
  /** Any CloudFormation stack status; CREATE_COMPLETE by default. */
  status: z.string().optional(),
  statusReason: z.string().optional(),
  /** The deployed template: a file of the scenario's folder. */
  template: z.string().optional(),
  parameters: z.record(z.string(), z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  /** The account and region the stack is in; the sandbox's own by default (a deployment's target account). */
  account: z.string().regex(/^\d{12}$/).optional(),
  region: z.string().optional(),
});

const RoleSchema = z.strictObject({
  /** A role of a target account the orchestrator may assume, as the target-account stack's deploy role. */
  roleArn: z.string().min(1),
  externalId: z.string().optional(),
});

const ResourceFailureSchema = z.strictObject({
  logicalId: z.string().min(1),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE']),
  reason: z.string().min(1),
  stackName: z.string().optional(),
  times: z.number().int().positive().optional(),
});

const FaultSchema = z.strictObject({
  service: z.enum(['CloudFormation', 'S3', 'StepFunctions', 'CodePipeline', 'DynamoDB']),
  operation: z.string().min(1),
  kind: z.enum(['throttle', 'error']),
  error: z.strictObject({ name: z.string(), message: z.string(), httpStatusCode: z.number().int() }).optional(),
  count: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).optional(),
});

const ArtifactSchema = z.strictObject({
  bucket: z.string().optional(),
  key: z.string().optional(),
  /** Zip entry path → file of the scenario's folder. */
  files: z.record(z.string(), z.string()),
  /** Store this file as the artifact instead of a zip (to test "not a zip"). */
  raw: z.string().optional(),
});

const ExpectSchema = z.strictObject({
  status: z.enum(['SUCCEEDED', 'FAILED']),
  /** The execution's error name, e.g. ChangeSetRejected. */
  error: z.string().optional(),
  /** Texts the cause must contain (for a Lambda error: its errorMessage). */
  causeIncludes: z.array(z.string()).optional(),
  decision: z.enum(['CREATED', 'UPDATED', 'NO_CHANGES']).optional(),
  /** The successful CloudFormation mutating calls, in order. */
  mutatingCalls: z.array(z.string()).optional(),
  /** The stack's status once the deployment is over. */
  stackStatus: z.string().optional(),
  /** Stack outputs the result must carry, by key. */
  outputs: z.record(z.string(), z.string()).optional(),
});

export const ScenarioFileSchema = z.strictObject({
  description: z.string().min(1),
  seed: z.number().int().optional(),
  /** The state machine's input document; revisionS3Bucket and revisionS3Key come from `artifact` when left out. */
  input: z.record(z.string(), z.unknown()),
  artifact: ArtifactSchema,
  stacks: z.array(StackSeedSchema).optional(),
  failures: z.array(ResourceFailureSchema).optional(),
  faults: z.array(FaultSchema).optional(),
  /** The next change set ends FAILED with this reason. */
  changeSetFailure: z.string().optional(),
  sandbox: z
    .strictObject({
      changeSetPageSize: z.number().int().positive().optional(),
      changeSetCreationPolls: z.number().int().nonnegative().optional(),
      stackEventsPageSize: z.number().int().positive().optional(),
      delayPolls: z.number().int().nonnegative().optional(),
      runningDescribes: z.number().int().nonnegative().optional(),
      /**
       * The account has event mode, as the CDK app deploys it: the wait table, the stack status
       * change rule and its completion function; stack operations run on their own.
       */
      stackEvents: z.boolean().optional(),
      /** With stackEvents: real milliseconds before each event is delivered (EventBridge's delay). */
      eventDelayMilliseconds: z.number().int().nonnegative().optional(),
      /** Roles of target accounts that the orchestrator may assume. */
      roles: z.array(RoleSchema).optional(),
    })
    .optional(),
  /**
   * Deployments one after the other, like a pipeline's stages (dev, then prod), each through its
   * own job: `input` is laid over the scenario's input; `expect` is what that stage ends with.
   * The scenario's own `expect` is what the last one ends with.
   */
  stages: z
    .array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9-]*$/), input: z.record(z.string(), z.unknown()), expect: ExpectSchema.optional() }))
    .optional(),
  /**
   * With `"onUnsafe": "approve"`: a person's answer to the approval request, given through the Step
   * Functions API once the request is out.
   */
  approval: z.strictObject({ answer: z.enum(['approve', 'reject']), reason: z.string().optional() }).optional(),
  expect: ExpectSchema,
});

export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;
export type ScenarioExpectation = z.infer<typeof ExpectSchema>;

/** A scenario with its files read: everything needed to run it, nothing left on disk. */
export interface Scenario extends Omit<ScenarioFile, 'stacks' | 'artifact'> {
  name: string;
  stacks: Array<Omit<z.infer<typeof StackSeedSchema>, 'template'> & { templateBody?: string }>;
  artifact: { bucket: string; key: string; files: Record<string, string>; raw?: Uint8Array };
}
