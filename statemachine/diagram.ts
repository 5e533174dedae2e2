import type { AslDefinition, AslState } from './definition';

/** Mermaid node shapes by state type: the same vocabulary as the design's diagram. */
const SHAPES: Record<string, (label: string) => string> = {
  Task: (label) => `["${label}"]`,
  Choice: (label) => `{"${label}"}`,
  Wait: (label) => `[/"${label}"/]`,
  Succeed: (label) => `(["${label}"])`,
  Fail: (label) => `(["${label}"])`,
  Pass: (label) => `["${label}"]`,
};

export interface DiagramOptions {
  /** States an execution entered, in order: they are highlighted, and so are the transitions between them. */
  visited?: string[];
  /** The state the execution failed in, if it failed. */
  failedAt?: string;
}

export function nodeId(stateName: string): string {
  return stateName.replace(/[^A-Za-z0-9]/g, '');
}

/** A Choice rule in a few words: `action = CREATE`, `safe`, `outcome = READY`. */
type ChoiceRule = Omit<NonNullable<AslState['Choices']>[number], 'Next'>;

function ruleLabel(rule: ChoiceRule): string {
  if (Array.isArray(rule.And)) {
    // `IsPresent: true` guards only keep the next rule from failing on a missing field: not worth a word.
    const parts = (rule.And as ChoiceRule[]).filter((part) => part.IsPresent !== true).map(ruleLabel);
    return parts.join(' and ');
  }
  if (rule.Not && typeof rule.Not === 'object') {
    const inner = rule.Not as ChoiceRule;
    return inner.IsPresent === true ? `no ${String(inner.Variable ?? '').split('.').pop()}` : `not (${ruleLabel(inner)})`;
  }
  const field = String(rule.Variable ?? '').split('.').pop() ?? '';
  const [operator, value] = Object.entries(rule).find(([key]) => key !== 'Variable' && key !== 'Next') ?? ['', ''];
  if (operator === 'BooleanEquals') return value === true ? field : `not ${field}`;
  if (operator === 'IsPresent') return value === true ? field : `no ${field}`;
  return `${field} = ${String(value)}`;
}

interface Edge {
  from: string;
  to: string;
  label?: string;
  error?: boolean;
}

function edgesOf(name: string, state: AslState): Edge[] {
  const edges: Edge[] = [];
  for (const rule of state.Choices ?? []) edges.push({ from: name, to: rule.Next, label: ruleLabel(rule) });
  if (state.Default) edges.push({ from: name, to: state.Default, label: 'otherwise' });
  if (state.Next) edges.push({ from: name, to: state.Next });
  for (const catcher of state.Catch ?? []) edges.push({ from: name, to: catcher.Next, label: 'error', error: true });
  return edges;
}

/**
 * The state machine as a Mermaid flowchart. Every task's errors go to the same Fail state; those
 * edges are drawn as one grouped dotted line (`A & B -. error .-> Fail`) unless an execution took one.
 */
export function toMermaid(definition: AslDefinition, options: DiagramOptions = {}): string {
  const visited = options.visited ?? [];
  const taken = new Set(visited.slice(1).map((to, i) => `${visited[i]}->${to}`));
  const lines = ['flowchart TD'];
  for (const [name, state] of Object.entries(definition.States)) {
    lines.push(`  ${nodeId(name)}${(SHAPES[state.Type] ?? SHAPES.Task)(name)}`);
  }
  const edges = Object.entries(definition.States).flatMap(([name, state]) => edgesOf(name, state));
  const isTaken = (edge: Edge) => taken.has(`${edge.from}->${edge.to}`);
  const single = edges.filter((edge) => !edge.error || isTaken(edge));
  single.forEach((edge) => {
    const arrow = edge.error ? `-. ${edge.label} .->` : edge.label ? `-- ${edge.label} -->` : '-->';
    lines.push(`  ${nodeId(edge.from)} ${arrow} ${nodeId(edge.to)}`);
  });
  // Grouped last, so that the indexes linkStyle uses for the edges above stay plain.
  const grouped = new Map<string, string[]>();
  for (const edge of edges.filter((e) => e.error && !isTaken(e))) grouped.set(edge.to, [...(grouped.get(edge.to) ?? []), edge.from]);
  for (const [to, froms] of grouped) lines.push(`  ${froms.map(nodeId).join(' & ')} -. error .-> ${nodeId(to)}`);
  if (visited.length) {
    lines.push('  classDef visited fill:#d1f0d8,stroke:#2e7d32,stroke-width:2px');
    lines.push(`  class ${[...new Set(visited)].map(nodeId).join(',')} visited`);
    const linkIndexes = single.map((edge, i) => (isTaken(edge) ? i : -1)).filter((i) => i >= 0);
    if (linkIndexes.length) lines.push(`  linkStyle ${linkIndexes.join(',')} stroke:#2e7d32,stroke-width:3px`);
  }
  if (options.failedAt) {
    lines.push('  classDef failed fill:#f8d7da,stroke:#c62828,stroke-width:2px');
    lines.push(`  class ${nodeId(options.failedAt)} failed`);
  }
  return lines.join('\n');
}

export const README_DIAGRAM_START = '<!-- state-machine-diagram:start -->';
export const README_DIAGRAM_END = '<!-- state-machine-diagram:end -->';

/** The README's block between the markers, as it should read for this definition. */
export function readmeDiagramBlock(definition: AslDefinition): string {
  return `${README_DIAGRAM_START}\n\`\`\`mermaid\n${toMermaid(definition)}\n\`\`\`\n${README_DIAGRAM_END}`;
}
