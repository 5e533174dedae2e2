#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings } from './settings';
import { OrchestratorStack } from './orchestrator-stack';
import { SamplePipelineStack } from './pipeline-stack';

const app = new App();
const settings = readSettings(app);

const orchestrator = new OrchestratorStack(app, 'SafeDeployOrchestrator', settings.orchestrator);

if (settings.samplePipeline) {
  new SamplePipelineStack(app, 'SafeDeploySamplePipeline', {
    ...settings.samplePipeline,
    triggerFunctionArn: orchestrator.trigger.function.functionArn,
    inputBucketName: orchestrator.inputBucket.bucketName,
    artifactReaderRoleArns: orchestrator.artifactReaderRoles.map((role) => role.roleArn),
  });
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
