import * as z from '../shared/zod';
import { PipelineConfigurationError } from './errors';

/** Where the deployment's input document lives: the action's `UserParameters`. */
export interface UserParameters {
  s3Bucket: string;
  stateMachineFile: string;
}

const EXAMPLE = '{"s3Bucket": "my-config-bucket", "stateMachineFile": "prod/my-app.json"}';
const HOW_TO_FIX = `Set the Deploy action's UserParameters to JSON such as ${EXAMPLE}.`;

const UserParametersSchema = z.strictObject({
  s3Bucket: z.string({ error: 'must be a string' }).check(z.minLength(3, 'must be an S3 bucket name')),
  stateMachineFile: z.string({ error: 'must be a string' }).check(z.minLength(1, 'must be the S3 key of the input document')),
});

/** Parses `UserParameters`, or throws one error that names every problem and shows the expected shape. */
export function parseUserParameters(raw: string | undefined): UserParameters {
  if (raw === undefined || raw.trim() === '') {
    throw new PipelineConfigurationError(`The pipeline action has no UserParameters. ${HOW_TO_FIX}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new PipelineConfigurationError(`UserParameters is not valid JSON (${(error as Error).message}). ${HOW_TO_FIX}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PipelineConfigurationError(`UserParameters must be a JSON object. ${HOW_TO_FIX}`);
  }
  // Kept as a const so the check below, inside a callback, still knows it is an object.
  const fields: object = parsed;
  const result = UserParametersSchema.safeParse(parsed);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${key}: unknown field`).join('; ');
    // Zod does not keep the offending value in its issues: "required" only when the key is absent, so `"s3Bucket": 42` reads "must be a string".
    const missing = issue.code === 'invalid_type' && !(String(issue.path[0]) in fields);
    return `${issue.path.join('.')}: ${missing ? 'is required' : issue.message}`;
  });
  throw new PipelineConfigurationError(`Invalid UserParameters: ${problems.join('; ')}. ${HOW_TO_FIX}`);
}
