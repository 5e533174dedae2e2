#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrchestratorStack } from './orchestrator-stack';
import { SamplePipelineStack } from './pipeline-stack';
import { readSettings, readTargetSettings } from './settings';
import { ORCHESTRATOR_STACK_NAME, SAMPLE_PIPELINE_STACK_NAME, TARGET_ACCOUNT_STACK_NAME } from './stack-names';
import { TargetAccountStack } from './target-account-stack';

export interface Stacks {
  readonly orchestrator: OrchestratorStack;
  readonly samplePipeline?: SamplePipelineStack;
  /** With context orchestratorAccount: the stack a workload account deploys for that orchestrator. */
  readonly target?: TargetAccountStack;
}

/** The app's stacks, from its context (see infra/settings.ts), checked by cdk-nag's AwsSolutions rules. */
export function createStacks(app: App): Stacks {
  const settings = readSettings(app);

  const orchestrator = new OrchestratorStack(app, ORCHESTRATOR_STACK_NAME, settings.orchestrator);

  const samplePipeline = settings.samplePipeline
    ? new SamplePipelineStack(app, SAMPLE_PIPELINE_STACK_NAME, {
        ...settings.samplePipeline,
        triggerFunctionArn: orchestrator.trigger.function.functionArn,
        inputBucketName: orchestrator.inputBucket.bucketName,
        artifactReaderRoleArns: orchestrator.artifactReaderRoles.map((role) => role.roleArn),
      })
    : undefined;

  const targetSettings = readTargetSettings(app);
  const target = targetSettings ? new TargetAccountStack(app, TARGET_ACCOUNT_STACK_NAME, targetSettings) : undefined;

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { orchestrator, samplePipeline, ...(target ? { target } : {}) };
}

if (require.main === module) createStacks(new App());
