/** The stacks' names: the README, the CLI (which reads the orchestrator's outputs) and the app agree on them. */
export const ORCHESTRATOR_STACK_NAME = 'SafeDeployOrchestrator';
export const SAMPLE_PIPELINE_STACK_NAME = 'SafeDeploySamplePipeline';
export const TARGET_ACCOUNT_STACK_NAME = 'SafeDeployTarget';
