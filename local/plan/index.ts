export { planDeployment, PLAN_DISCLAIMER, type PlanReport, type PlannedChange, type PlanOutcome } from './plan';
export { predictChangeSet, type Prediction, type PredictionInput, type PredictedChange, type TemplateWithParameters } from './predict';
export { parameterValues } from './parameters';
export { PlanInputError } from './errors';
