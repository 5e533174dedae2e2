import { z } from 'zod';
import { PROTECTED_TYPES } from './policy-built-ins';
import { compilePattern, patternCoversType, patternProblem } from './policy-patterns';

/** What a retained removal (`Remove` with `PolicyAction: Retain`) is judged as. */
export const RETAINED_REMOVALS = ['allow', 'reject'] as const;

/** The lists an entry may sit in, as the input document names them. */
export const POLICY_LISTS = ['protect', 'unprotect', 'allowRemoval', 'allowReplacement'] as const;
export type PolicyList = (typeof POLICY_LISTS)[number];

/** A list of logical ids, nested paths or resource types, each checked to be one that can match. */
const entries = z
  .array(z.string({ error: 'must be a string' }), { error: 'must be a list of logical ids, nested paths or resource types' })
  .superRefine((list, ctx) => {
    list.forEach((entry, index) => {
      const problem = patternProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', path: [index], message: `"${entry}" ${problem}` });
    });
  })
  .default([]);

/**
 * Which removals and replacements a deployment may make. Nothing is removed or replaced unless an
 * allow list, a built-in allowance or the retained-removal rule lets it through; `protect` and the
 * built-in protected types (see policy-built-ins.ts) beat every allowance. See safety-policy.ts.
 */
export const SafetyPolicySchema = z
  .strictObject({
    /** Resources that may be removed (`Action: Remove`). */
    allowRemoval: entries,
    /** Resources that may be replaced (`Replacement: True`, `Conditional`, or not stated). */
    allowReplacement: entries,
    /** Resources that are never removed or replaced, whatever an allow list or built-in allowance says. */
    protect: entries,
    /** Built-in protected types (or single resources of them) the deployment lifts the protection from. */
    unprotect: entries,
    /** Whether the built-in harmless replacements (AWS::Lambda::Version, ...) are allowed. */
    builtInAllowances: z.boolean({ error: 'must be true or false' }).default(true),
    /** `allow`: a removal that keeps the resource in the account is allowed; `reject`: judged like any removal. */
    retainedRemovals: z.enum(RETAINED_REMOVALS, { error: 'must be "allow" or "reject"' }).default('allow'),
  })
  .superRefine((policy, ctx) => {
    // One entry both protected and allowed (or unprotected) says two opposite things: refuse it rather than pick one.
    for (const list of ['allowRemoval', 'allowReplacement', 'unprotect'] as const) {
      for (const entry of policy[list]) {
        if (policy.protect.includes(entry)) {
          ctx.addIssue({
            code: 'custom',
            path: [list],
            message: `"${entry}" is also in safetyPolicy.protect; protect always wins, so remove it from one of the two lists`,
          });
        }
      }
    }
    // A type in unprotect lifts a built-in protection: one that covers no built-in type can never do anything.
    policy.unprotect.forEach((entry, index) => {
      const pattern = compilePattern(entry);
      if (pattern.kind === 'type' && !PROTECTED_TYPES.some((builtIn) => patternCoversType(pattern, builtIn.type))) {
        ctx.addIssue({
          code: 'custom',
          path: ['unprotect', index],
          message: `"${entry}" is not a built-in protected type, so there is nothing to unprotect (the built-in list is in the README's Safety policy section; types outside it are not protected unless listed in protect)`,
        });
      }
    });
  });

/** The policy with every default filled in, as Prepare Deployment passes it on. */
export type SafetyPolicy = z.output<typeof SafetyPolicySchema>;
/** The policy as an input document may write it: every field optional. */
export type SafetyPolicyInput = z.input<typeof SafetyPolicySchema>;

export const DEFAULT_SAFETY_POLICY: SafetyPolicy = SafetyPolicySchema.parse({});

/**
 * A policy from the execution's data with the defaults filled in. The data of an execution that
 * started before a field existed lacks it; its default is the behaviour that execution was promised.
 */
export function withPolicyDefaults(policy: Partial<SafetyPolicy> | undefined): SafetyPolicy {
  return { ...DEFAULT_SAFETY_POLICY, ...policy };
}
