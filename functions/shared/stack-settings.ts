import type { Deployment, Parameter, Tag } from './state';

/**
 * Parameters and tags as CreateStack and CreateChangeSet take them. An empty list is left out, not
 * sent: CloudFormation reads an empty `Tags` on an update as "remove every stack tag".
 */
export function stackSettings(deployment: Deployment, parameters: Parameter[] = deployment.parameters): { Parameters?: Parameter[]; Tags?: Tag[] } {
  return {
    ...(parameters.length ? { Parameters: parameters } : {}),
    ...(deployment.tags.length ? { Tags: deployment.tags } : {}),
  };
}
