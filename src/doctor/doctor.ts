// runDoctor: observed edges + a cluster snapshot → findings, most severe first. Each diagnosis is
// its own module; this one only composes them. Without a snapshot, only what needs no policy
// evaluation (non-policy drops) can be diagnosed. Pure: the caller loads the edges and snapshot.
import { findAllowedDespiteDeny } from './allowed-despite-deny.js';
import { findClusterPolicyBlocks } from './cluster-blocks.js';
import { findClusterPolicyObjects } from './cluster-objects.js';
import { contextOf } from './context.js';
import { findDefaultDenyBlocks } from './default-deny.js';
import { findDnsBlocked } from './dns.js';
import { findNonPolicyDrops } from './non-policy-drops.js';
import { findOverlyBroad } from './overly-broad.js';
import { findRedundant } from './redundant.js';
import { findSelectorsMatchingNothing } from './selector-matches-nothing.js';
import { FINDING_KINDS, SEVERITIES, type DoctorInput, type Finding } from './types.js';
import { findUnprotectedPods } from './unprotected.js';

/** Most severe first; within a kind and namespace the module's own order (e.g. most drops first) stays. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind) ||
      a.namespace.localeCompare(b.namespace),
  );
}

export function runDoctor(input: DoctorInput): Finding[] {
  if (input.snapshot === undefined)
    return sortFindings(findNonPolicyDrops(input.edges, input.namespace, undefined));
  const context = contextOf({ ...input, snapshot: input.snapshot });
  return sortFindings([
    ...findDefaultDenyBlocks(context),
    ...findDnsBlocked(context),
    ...findSelectorsMatchingNothing(context),
    ...findAllowedDespiteDeny(context),
    ...findNonPolicyDrops(context.edges, context.namespace, context.engine),
    ...findUnprotectedPods(context),
    ...findOverlyBroad(context),
    ...findRedundant(context),
    ...findClusterPolicyBlocks(context),
    ...findClusterPolicyObjects(context),
  ]);
}
