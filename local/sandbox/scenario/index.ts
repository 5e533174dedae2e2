/** Scenarios: a deployment's world and expected outcome in a folder, run on the sandbox. */
export { ScenarioFileSchema, type Scenario, type ScenarioFile, type ScenarioExpectation } from './format';
export { loadScenario, listScenarios, DEFAULT_ARTIFACT_BUCKET, DEFAULT_ARTIFACT_KEY, SCENARIO_FILE } from './load';
export {
  runScenario,
  buildScenarioSandbox,
  scenarioInput,
  STATE_MACHINE_NAME,
  STAGING_BUCKET,
  DOCUMENTS_BUCKET,
  DOCUMENT_KEY,
  type ScenarioRun,
  type ScenarioRunOptions,
  type ExecutionOutcome,
  type StageRun,
} from './run';
export { unmetExpectations, causeText } from './expectations';
