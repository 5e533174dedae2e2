/** Bad templates, parameters or policy given to `plan`: nothing was predicted, and the message says what to fix. */
export class PlanInputError extends Error {
  override readonly name = 'PlanInputError' as const;
}
