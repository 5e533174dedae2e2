import type { RunResult } from './harness';

function count<T>(items: T[], key: (item: T) => string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) for (const k of key(item)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

function section(title: string, counts: Map<string, number>): string[] {
  return [title, ...[...counts].map(([name, n]) => `  ${name.padEnd(40)} ${String(n).padStart(7)}`)];
}

/** The suite's closing table: runs, faults by kind, outcomes by kind, violations by invariant. */
export function summaryTable(results: RunResult[], masterSeed: number): string {
  const faults = new Map<string, number>();
  for (const result of results) for (const [kind, n] of Object.entries(result.faultsInjected)) faults.set(kind, (faults.get(kind) ?? 0) + n);
  const outcomes = count(results, (result) =>
    result.outcomes.map(
      (outcome) => `${result.plan.kind}${result.plan.approval ? ` (${result.plan.approval.answer})` : result.plan.newStack ? ' (new-stack)' : ''} → ${outcome.succeeded ? 'succeeded' : outcome.error ?? outcome.status}`,
    ),
  );
  const violations = count(results, (result) => result.violations.map((violation) => violation.split(':')[0]));
  return [
    `Fault injection: ${results.length} runs from master seed ${masterSeed}`,
    ...section('Runs by shape', count(results, (result) => [result.plan.shape])),
    ...section(
      'Runs by wait mode',
      count(results, (result) =>
        result.plan.events
          ? [`events${result.plan.events.lose ? ', some lost' : ''}${result.plan.events.duplicate ? ', some twice' : ''}${result.plan.events.tableFaults ? ', table faults' : ''}`]
          : ['polling'],
      ),
    ),
    ...section('Runs by account', count(results, (result) => [result.plan.target ? `target account${result.plan.target.stsFaults ? ', STS throttled' : ''}` : 'own account'])),
    ...section(
      'Unsafe runs by onUnsafe',
      count(
        results.filter((result) => result.plan.kind === 'unsafe-update' || result.plan.kind === 'replacement'),
        (result) => {
          const approval = result.plan.approval;
          if (!approval) return [result.plan.newStack ? 'new-stack' : 'fail'];
          const faults = [approval.late ? 'approved late' : '', approval.answerFaults ? 'answer faults' : '', approval.executeFault ? `execute ${approval.executeFault}` : ''].filter(Boolean);
          return [`approve: ${approval.answer}${approval.stale ? `, ${approval.stale} first` : ''}${faults.length ? `, ${faults.join(', ')}` : ''}`];
        },
      ),
    ),
    ...section('Faults injected by kind', new Map([...faults].sort(([a], [b]) => a.localeCompare(b)))),
    ...section('Outcomes by kind', outcomes),
    ...section(`Invariant violations: ${[...violations.values()].reduce((a, b) => a + b, 0)}`, violations),
  ].join('\n');
}
