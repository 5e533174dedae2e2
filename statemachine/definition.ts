import * as fs from 'fs';
import * as path from 'path';

/** The one ASL definition, for AWS (CDK fills the placeholders) and for the local engine. */
export const DEFINITION_PATH = path.join(__dirname, 'deploy.asl.json');

export interface AslState {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string; Variable?: string; [operator: string]: unknown }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
  Retry?: Array<{ ErrorEquals: string[] }>;
  Comment?: string;
  [field: string]: unknown;
}

export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
}

export interface TaskStateInfo {
  /** The state's name: user-facing vocabulary (console, logs, CLI). */
  stateName: string;
  /** Its Lambda's folder under `functions/`, the state name in kebab case. */
  functionFolder: string;
  /** The `${...}` placeholder in `Resource` that `DefinitionSubstitutions` fills with the Lambda ARN. */
  substitutionKey: string;
  /**
   * The state invokes its Lambda through the `lambda:invoke.waitForTaskToken` integration: the
   * Lambda gets `Parameters.Payload`, and the state ends when someone answers its task token.
   */
  waitsForTaskToken: boolean;
}

/** The one service integration the definition uses besides plain Lambda ARNs. */
export const LAMBDA_WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

export function loadDefinitionText(): string {
  return fs.readFileSync(DEFINITION_PATH, 'utf8');
}

export function loadDefinition(): AslDefinition {
  return JSON.parse(loadDefinitionText()) as AslDefinition;
}

export function toKebabCase(stateName: string): string {
  return stateName
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/ +/g, '-');
}

export function taskStates(definition: AslDefinition = loadDefinition()): TaskStateInfo[] {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([stateName, state]) => {
      const waitsForTaskToken = state.Resource === LAMBDA_WAIT_FOR_TOKEN;
      const functionRef = waitsForTaskToken ? (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName : state.Resource;
      const match = /^\$\{([A-Za-z0-9_]+)\}$/.exec(typeof functionRef === 'string' ? functionRef : '');
      if (!match) {
        throw new Error(
          `Task state "${stateName}" must name its Lambda by a \${...} placeholder: as its Resource, or as Parameters.FunctionName of ${LAMBDA_WAIT_FOR_TOKEN}; not ${String(functionRef)}`,
        );
      }
      return { stateName, functionFolder: toKebabCase(stateName), substitutionKey: match[1], waitsForTaskToken };
    });
}

/** Every `${...}` placeholder in the definition text. */
export function placeholders(text: string = loadDefinitionText()): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/** Fills the placeholders as `DefinitionSubstitutions` does; a missing value is an error, not a silent `${...}`. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`No substitution given for ${whole} in the state machine definition`);
    return value;
  });
}
