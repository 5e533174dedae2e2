import * as z from './zod';
import { InvalidInputError } from './errors';
import type { Parameter, Tag } from './state';

/**
 * The template configuration file CodePipeline's CloudFormation action reads:
 * `{ "Parameters": { "Key": "Value" }, "Tags": { "Key": "Value" } }`.
 * `StackPolicy` is refused rather than ignored: change sets cannot set a stack policy, and a
 * policy that silently does not apply is worse than an error.
 */
const TemplateConfigurationSchema = z.strictObject({
  Parameters: z.optional(z.record(z.string(), z.string({ error: 'parameter values must be strings' }))),
  Tags: z.optional(z.record(z.string(), z.string({ error: 'tag values must be strings' }))),
});

export interface TemplateConfiguration {
  parameters: Parameter[];
  tags: Tag[];
}

export function parseTemplateConfiguration(text: string, where: string): TemplateConfiguration {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`The template configuration ${where} is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (raw && typeof raw === 'object' && 'StackPolicy' in raw) {
    throw new InvalidInputError(
      `The template configuration ${where} has a StackPolicy, which this deployer does not apply (change sets cannot set one). Remove it and set the policy with "aws cloudformation set-stack-policy".`,
    );
  }
  const parsed = TemplateConfigurationSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')} (only Parameters and Tags are read)`
        : `${issue.path.join('.') || '(document)'}: ${issue.message}`,
    );
    throw new InvalidInputError(`The template configuration ${where} is invalid: ${problems.join('; ')}.`);
  }
  return {
    parameters: Object.entries(parsed.data.Parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    tags: Object.entries(parsed.data.Tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
}
