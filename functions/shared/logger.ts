import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger of the task Lambdas. Log keys, never whole events: the task inputs
 * hold no secrets, but the habit keeps the trigger's job events (which do) out of the logs too.
 */
export const logger = new Logger({ serviceName: 'deploy-orchestrator' });
