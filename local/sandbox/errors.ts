/**
 * Errors of the sandbox itself (not of the AWS services it imitates, see `aws-errors.ts`): a test
 * or a scenario that asks for something the sandbox cannot do fails loudly with one of these.
 */
export class SandboxError extends Error {
  override readonly name: string = 'SandboxError';
}

/** Code under test called an AWS operation that the sandbox does not implement. */
export class SandboxUnsupportedOperationError extends SandboxError {
  override readonly name = 'SandboxUnsupportedOperationError' as const;
}

/** A second sandbox was installed while one was still in place, or restore was called twice. */
export class SandboxInstallError extends SandboxError {
  override readonly name = 'SandboxInstallError' as const;
}

/** A scenario file or a seed asks for something impossible (unknown status, missing template file). */
export class ScenarioError extends SandboxError {
  override readonly name = 'ScenarioError' as const;
}
