import { CloudFormationClient } from '@aws-sdk/client-cloudformation';

/**
 * One client per service, each in its own module so that a Lambda's bundle carries only the
 * clients it uses. Created once per container; tests and the offline sandbox intercept `send`.
 */
export const cloudFormation = new CloudFormationClient({});
