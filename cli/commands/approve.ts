import { parseFlags } from '../args';
import { EXIT, UsageError } from '../errors';
import { answerApproval } from '../approval';

/** `approve EXECUTION [--reason TEXT]` and `reject EXECUTION --reason TEXT`: a person's answer to an unsafe change set. */
function answerCommand(approve: boolean) {
  const name = approve ? 'approve' : 'reject';
  return async (args: string[], out: (line: string) => void): Promise<number> => {
    const { values, positionals } = parseFlags(name, args, { reason: { type: 'string' } });
    const [executionArn, ...extra] = positionals;
    if (!executionArn || extra.length) throw new UsageError(`${name}: give exactly one execution ARN (the one waiting in Await Approval).`);
    if (!approve && !values.reason?.trim()) throw new UsageError('reject: --reason TEXT is required: the deployment fails with it.');
    const answered = await answerApproval(executionArn, { approve, ...(values.reason ? { reason: values.reason } : {}) });
    out(
      approve
        ? `✔ ${answered.approver} approved change set ${answered.changeSetName} on stack ${answered.stackName}: exactly that change set is executed if it is still as reviewed.`
        : `✖ ${answered.approver} rejected change set ${answered.changeSetName} on stack ${answered.stackName}: it is deleted and the deployment fails.`,
    );
    return EXIT.OK;
  };
}

export const approveCommand = answerCommand(true);
export const rejectCommand = answerCommand(false);
