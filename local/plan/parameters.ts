import type { CloudFormationTemplate } from '../../functions/shared/template';
import { PlanInputError } from './errors';

interface DeclaredParameter {
  Type?: unknown;
  Default?: unknown;
  AllowedValues?: unknown;
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * A template's parameter values as CloudFormation takes them from a deployment: the values given
 * (the template configuration, then `--parameter`), else the template's defaults. The pipeline
 * passes no `UsePreviousValue`, so a parameter left out falls back to its default, not to the
 * value deployed before. `which` names the template in the errors ("deployed" or "new").
 */
export function parameterValues(template: CloudFormationTemplate, given: Record<string, string>, which: string): Record<string, string> {
  const declared = (template.Parameters ?? {}) as Record<string, DeclaredParameter>;
  const undeclared = Object.keys(given).filter((key) => !Object.hasOwn(declared, key));
  if (undeclared.length) {
    throw new PlanInputError(
      `Parameter(s) ${undeclared.join(', ')} given for the ${which} template, which does not declare them (it declares: ${Object.keys(declared).join(', ') || 'none'}).`,
    );
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, definition] of Object.entries(declared)) {
    const value = Object.hasOwn(given, key) ? given[key] : asText(definition?.Default);
    if (value === undefined) {
      missing.push(key);
      continue;
    }
    const allowed = Array.isArray(definition?.AllowedValues) ? definition.AllowedValues.map(String) : undefined;
    if (allowed && !allowed.includes(value)) {
      throw new PlanInputError(`Parameter ${key} of the ${which} template is "${value}", which is not one of its AllowedValues (${allowed.join(', ')}).`);
    }
    values[key] = value;
  }
  if (missing.length) {
    const flag = which === 'deployed' ? '--deployed-parameter' : '--parameter';
    throw new PlanInputError(
      `Parameter(s) ${missing.join(', ')} of the ${which} template have no value and no default: give them with ${flag} KEY=VALUE or a template configuration file.`,
    );
  }
  return values;
}
