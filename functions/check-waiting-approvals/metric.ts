/**
 * The check's metric, published in CloudWatch's embedded metric format (EMF): one JSON line on
 * stdout, which Lambda sends to the function's log group and CloudWatch turns into the metric.
 * No PutMetricData call, so no CloudWatch client in the bundle, no cloudwatch:PutMetricData grant
 * (whose only resource is `*`), and no request to fail or be throttled; the line also keeps the
 * check's counts in the logs.
 */

/** The function's setting: the state machine whose executions it checks. */
export const STATE_MACHINE_ARN_ENV = 'STATE_MACHINE_ARN';
export const METRIC_NAMESPACE = 'SafeDeploy';
/** Executions waiting in Await Approval for longer than half their approvalTimeoutSeconds. */
export const APPROVALS_PAST_HALF_DEADLINE = 'ApprovalsPastHalfDeadline';
/** One series per state machine, named as the AWS/States metrics name it. */
export const STATE_MACHINE_DIMENSION = 'StateMachineArn';

/**
 * The EMF document: the metric's value and dimension at the root, `_aws` saying which root keys
 * are metrics; the other properties are kept in the log line only (they are not metrics, so cost nothing).
 */
export function metricDocument(stateMachineArn: string, approvalsPastHalfDeadline: number, properties: Record<string, unknown>, now: Date): Record<string, unknown> {
  return {
    ...properties,
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[STATE_MACHINE_DIMENSION]], Metrics: [{ Name: APPROVALS_PAST_HALF_DEADLINE, Unit: 'Count' }] }],
    },
    [STATE_MACHINE_DIMENSION]: stateMachineArn,
    [APPROVALS_PAST_HALF_DEADLINE]: approvalsPastHalfDeadline,
  };
}

/** Written straight to stdout, as Powertools Metrics writes it: the log line is the JSON document alone, with no console prefix. */
export function publishMetric(document: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(document)}\n`);
}
