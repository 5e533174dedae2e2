/** Where Await Approval sends its requests: the approval topic's ARN, in its environment. */
export const APPROVAL_TOPIC_ENV = 'APPROVAL_TOPIC_ARN';
