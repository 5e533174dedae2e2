import { createHash } from 'crypto';
import { PipelineConfigurationError } from './errors';
import { MAX_EXECUTION_NAME_LENGTH } from './limits';

const EXECUTION_NAME_PREFIX = 'codepipeline-';
const NAME_UNSAFE_CHARACTERS = /[^A-Za-z0-9_-]/g;
/** Hex characters of a SHA-256 kept when a job id is too long or unusual to use as it is. */
const NAME_HASH_LENGTH = 32;

/**
 * `arn:<partition>:states:<region>:<account>:stateMachine:<name>`; a name is 1 to 80 characters
 * without whitespace, brackets, wildcards or `" # % \ ^ | ~ ` $ & , ; : /`.
 */
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;

/**
 * The execution name for a job: `codepipeline-<jobId>`. Derived, never random, so a repeated
 * invocation of the same job (Lambda's asynchronous retries, CodePipeline's redelivery) reaches
 * the same execution instead of starting a second deployment. A job id that does not fit
 * `[A-Za-z0-9_-]` within 80 characters is replaced by its SHA-256, which is still one name per job.
 */
export function executionNameFor(jobId: string): string {
  const plain = `${EXECUTION_NAME_PREFIX}${jobId}`;
  const safe = plain.length <= MAX_EXECUTION_NAME_LENGTH && plain.replace(NAME_UNSAFE_CHARACTERS, '') === plain;
  if (safe) return plain;
  return `${EXECUTION_NAME_PREFIX}${createHash('sha256').update(jobId).digest('hex').slice(0, NAME_HASH_LENGTH)}`;
}

/** The `STATE_MACHINE_ARN` setting, checked: without it the trigger cannot start anything. */
export function readStateMachineArn(value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new PipelineConfigurationError(
      'The deployment is misconfigured: the trigger Lambda has no STATE_MACHINE_ARN environment variable, so it cannot start the deployment state machine. Redeploy the orchestrator stack, or set STATE_MACHINE_ARN to the state machine\'s ARN.',
    );
  }
  if (!STATE_MACHINE_ARN.test(value)) {
    throw new PipelineConfigurationError(
      `The deployment is misconfigured: the trigger Lambda's STATE_MACHINE_ARN "${value}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>). Redeploy the orchestrator stack.`,
    );
  }
  return value;
}

/** Executions of a state machine share its ARN with `:execution:` in place of `:stateMachine:`. */
export function executionArnPrefix(stateMachineArn: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
}

/** The ARN StartExecution would return for this name: what an ExecutionAlreadyExists answer refers to. */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${executionArnPrefix(stateMachineArn)}${executionName}`;
}

/** The execution name at the end of an execution ARN of this state machine, or undefined for any other ARN. */
export function executionNameOf(executionArn: string, stateMachineArn: string): string | undefined {
  const prefix = executionArnPrefix(stateMachineArn);
  if (!executionArn.startsWith(prefix)) return undefined;
  const name = executionArn.slice(prefix.length);
  return name === '' || name.includes(':') ? undefined : name;
}
