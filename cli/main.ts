import { EXIT, UsageError } from './errors';
import { graphCommand } from './commands/graph';
import { runCommand } from './commands/run';
import { approveCommand, rejectCommand } from './commands/approve';
import { validateCommand } from './commands/validate';
import { simulateCommand } from './commands/simulate';
import { planCommand } from './commands/plan';

export const HELP = `deploy-orchestrator: deploy CloudFormation stacks safely through the deploy state machine.

Usage:
  deploy-orchestrator simulate [SCENARIO...] [--all] [--list] [--json] [--quiet] [--approve | --reject] [--reason TEXT]
                                                         whole pipeline deployments on this machine, offline, against the
                                                         sandbox (npm start); a SCENARIO is a folder with a scenario.yaml
                                                         or a name in examples/scenarios; exits 1 if one ends otherwise
                                                         than its scenario expects; --approve / --reject answer a
                                                         scenario's approval request in place of its own answer
  deploy-orchestrator run --input FILE [--local [--max-wait SECONDS] [--role-arn ARN [--external-id ID]] [--region R]
                          [--approve | --reject] [--reason TEXT]] [--state-machine ARN | --stack NAME] [--json] [--quiet]
                                                         a manual deployment: --local runs the state machine in-process
                                                         against the AWS APIs of your credentials (--role-arn: assuming
                                                         that role of another account; --region: in that region;
                                                         --approve / --reject: the answer to an approval request);
                                                         without it, an execution of the deployed state machine is
                                                         started and followed
  deploy-orchestrator approve EXECUTION [--reason TEXT]
                                                         approves exactly the unsafe change set an execution waits on
                                                         (onUnsafe: approve); it is executed if still as reviewed
  deploy-orchestrator reject EXECUTION --reason TEXT
                                                         rejects it: the change set is deleted and the deployment fails
  deploy-orchestrator validate --input FILE [--artifact ZIP] [--json]
                                                         checks an input document (and that its template is in the artifact)
  deploy-orchestrator plan --deployed FILE (--template FILE [--configuration FILE] | --input FILE --artifact ZIP)
                          [--parameter KEY=VALUE...] [--deployed-configuration FILE] [--deployed-parameter KEY=VALUE...]
                          [--input FILE | --policy FILE] [--json]
                                                         predicts, offline, the change set from the deployed template to the
                                                         new one and judges it with the deployment's safety policy; exits 1
                                                         if it would be blocked (the real change set decides)
  deploy-orchestrator graph [--execution RESULT.json | ARN]
                                                         prints the state machine as a Mermaid flowchart, with a path marked
  deploy-orchestrator help [COMMAND]                    this text, or one command's; every command also answers --help and -h

Exit codes: 0 deployed or no changes (plan: would pass), 1 failed or rejected (plan: would be blocked), 2 bad usage or input.
AWS settings come from the environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL (e.g. LocalStack).`;

type Command = (args: string[], out: (line: string) => void, err: (line: string) => void) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  simulate: simulateCommand,
  run: runCommand,
  approve: approveCommand,
  reject: rejectCommand,
  validate: validateCommand,
  plan: planCommand,
  graph: graphCommand,
};

const HELP_FLAGS = new Set(['--help', '-h']);

/** One command's lines of the overview: its usage and what it does. */
export function commandUsage(name: string): string {
  const lines = HELP.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`  deploy-orchestrator ${name} `) || line === `  deploy-orchestrator ${name}`);
  const end = lines.findIndex((line, i) => i > start && (line.startsWith('  deploy-orchestrator ') || line === ''));
  return [`Usage:`, ...lines.slice(start, end), '', ...lines.slice(lines.findIndex((line) => line.startsWith('Exit codes')))].join('\n');
}

export async function main(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [name, ...args] = argv;
  if (!name) {
    out(HELP);
    return EXIT.USAGE;
  }
  if (name === 'help' || HELP_FLAGS.has(name)) {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic && !COMMANDS[topic]) {
      err(`Unknown command "${topic}". Commands: ${Object.keys(COMMANDS).join(', ')}, help.`);
      return EXIT.USAGE;
    }
    out(topic ? commandUsage(topic) : HELP);
    return EXIT.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}, help.`);
    return EXIT.USAGE;
  }
  if (args.some((arg) => HELP_FLAGS.has(arg))) {
    out(commandUsage(name));
    return EXIT.OK;
  }
  try {
    return await command(args, out, err);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`Error: ${error.message}`);
      return EXIT.USAGE;
    }
    // Anything else is a fault of this tool or of AWS: still one line, and exit 1, not a stack trace.
    err(`Error: ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}`);
    return EXIT.FAILED;
  }
}
