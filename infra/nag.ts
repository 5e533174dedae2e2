import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag names a resource in an IAM5 finding: pseudo parameters as `<AWS::Name>`,
 * references as `<LogicalId>` and attributes as `<LogicalId.Attribute>`.
 */
export function nagResourceName(stack: Stack, resource: string): string {
  return render(stack.resolve(resource));
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return `<${String(object.Ref)}>`;
    if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for each resource that contains a wildcard,
 * on `scope` (a role or policy), with the reason that makes the wildcard necessary.
 *
 * The finding names the resource as it is finally written in the template, and references to
 * another stack only take that form when the app is prepared for synthesis. So the names are
 * worked out then, in a construct validation, which CDK runs after the references are resolved
 * and before the validation plugins (cdk-nag) read the acknowledgements.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  scope.node.addValidation({
    validate: () => {
      const stack = Stack.of(scope);
      for (const resource of resources) {
        const name = nagResourceName(stack, resource);
        if (name.includes('*')) Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${name}]`, reason });
      }
      return [];
    },
  });
}
