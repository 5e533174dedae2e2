import * as fs from 'fs';
import * as path from 'path';
import type { Change, ResourceChange } from '@aws-sdk/client-cloudformation';
import { parseTemplate, type CloudFormationTemplate } from '../../functions/shared/template';
import { parameterValues, predictChangeSet, type TemplateWithParameters } from '../../local/plan';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Real templates and change sets already copied into test/fixtures (see SOURCES.md in each folder). */
export function fixtureText(folder: 'sandbox' | 'cloudformation', name: string): string {
  return fs.readFileSync(path.join(FIXTURES, folder, name), 'utf8');
}

export function fixtureJson<T>(folder: 'sandbox' | 'cloudformation', name: string): T {
  return JSON.parse(fixtureText(folder, name)) as T;
}

export function template(text: string): CloudFormationTemplate {
  return parseTemplate(text, 'test template');
}

export function side(text: string, parameters: Record<string, string> = {}): TemplateWithParameters {
  const parsed = template(text);
  return { template: parsed, parameters: parameterValues(parsed, parameters, 'test') };
}

/** The predicted changes, in the DescribeChangeSet shape. */
export function predicted(before: TemplateWithParameters, after: TemplateWithParameters): ResourceChange[] {
  return predictChangeSet({ deployed: before, proposed: after }).changes.map(({ change }) => change);
}

export interface Summary {
  action?: string;
  logicalId?: string;
  replacement: string | null;
  /** Distinct `Attribute/Name/RequiresRecreation` of the details, sorted. */
  targets: string[];
}

/** The parts of a change a safety decision reads. */
export function summary(change: ResourceChange | undefined): Summary {
  return {
    action: change?.Action,
    logicalId: change?.LogicalResourceId,
    replacement: change?.Replacement ?? null,
    targets: [...new Set((change?.Details ?? []).map((detail) => `${detail.Target?.Attribute}/${detail.Target?.Name ?? ''}/${detail.Target?.RequiresRecreation}`))].sort(),
  };
}

export function apiSummaries(changes: Change[]): Summary[] {
  return changes.map((change) => summary(change.ResourceChange));
}

interface ConsoleChange {
  resourceChange: {
    action: string;
    logicalResourceId: string;
    replacement: string | null;
    details: Array<{ target: { attribute: string; name?: string | null; requiresRecreation: string } }>;
  };
}

/** The same parts from the CloudFormation console's camelCase "JSON changes" format. */
export function consoleSummaries(changes: ConsoleChange[]): Summary[] {
  return changes.map(({ resourceChange: change }) => ({
    action: change.action,
    logicalId: change.logicalResourceId,
    replacement: change.replacement,
    targets: [...new Set(change.details.map((detail) => `${detail.target.attribute}/${detail.target.name ?? ''}/${detail.target.requiresRecreation}`))].sort(),
  }));
}

export function byLogicalId(list: Summary[]): Summary[] {
  return [...list].sort((a, b) => String(a.logicalId).localeCompare(String(b.logicalId)));
}
