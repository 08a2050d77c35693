// Derives the owning workload of a pod from its name (and labels, when the source has them),
// for sources that do not say (Hubble without `workloads[]`, Calico flow logs).
//
// Heuristic, in this order:
//  1. Labels, when present: `batch.kubernetes.io/job-name` / `job-name` → Job (CronJob when the
//     job name ends in `-<8+ digits>`, the scheduled minute CronJob appends);
//     `pod-template-hash=H` with a name `<n>-H-<5>` → Deployment `<n>`;
//     `statefulset.kubernetes.io/pod-name` → StatefulSet; `pod-template-generation` → DaemonSet.
//  2. Name shape, using the alphabet Kubernetes uses for generated suffixes
//     (`bcdfghjklmnpqrstvwxz2456789`, no vowels so no words):
//     `<n>-<8+ digits>-<5>` → CronJob `<n>`; `<n>-<6..10 alphabet>-<5>` → Deployment `<n>`;
//     `<n>-<digits>` → StatefulSet `<n>`; `<n>-<5 alphabet>` → DaemonSet `<n>`.
//  3. Otherwise the pod itself, kind Pod.
// Limits: without labels a `<n>-<5>` pod may equally be a Job pod or a bare ReplicaSet's pod
// (reported as DaemonSet); a Deployment whose name ends in an all-alphabet segment of 6–10
// chars (`foo-bcdfgh`) with a 5-char pod suffix is indistinguishable; a pod named by hand like
// `web-2` looks like a StatefulSet pod. Grouping per workload stays right in these cases: only
// the kind label can be wrong, and the recommender selects pods by labels, not by kind.
import type { Workload } from './flow.js';

function isSuffixChar(c: number): boolean {
  // b c d f g h j k l m n p q r s t v w x z 2 4 5 6 7 8 9
  if (c >= 98 && c <= 122) return c !== 101 && c !== 105 && c !== 111 && c !== 117 && c !== 121;
  return c === 50 || (c >= 52 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function allMatch(text: string, from: number, to: number, test: (c: number) => boolean): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) if (!test(text.charCodeAt(i))) return false;
  return true;
}

const JOB_SCHEDULE_DIGITS_MIN = 8;

function jobWorkload(jobName: string): Workload {
  const dash = jobName.lastIndexOf('-');
  if (
    dash > 0 &&
    jobName.length - dash - 1 >= JOB_SCHEDULE_DIGITS_MIN &&
    allMatch(jobName, dash + 1, jobName.length, isDigit)
  ) {
    return { kind: 'CronJob', name: jobName.slice(0, dash) };
  }
  return { kind: 'Job', name: jobName };
}

function fromLabels(pod: string, labels: Readonly<Record<string, string>>): Workload | undefined {
  const job = labels['batch.kubernetes.io/job-name'] ?? labels['job-name'];
  if (job !== undefined && job.length > 0) return jobWorkload(job);
  const hash = labels['pod-template-hash'];
  if (hash !== undefined && hash.length > 0) {
    const marker = `-${hash}`;
    const at = pod.lastIndexOf(marker);
    if (at > 0) return { kind: 'Deployment', name: pod.slice(0, at) };
  }
  if (labels['statefulset.kubernetes.io/pod-name'] !== undefined) {
    const dash = pod.lastIndexOf('-');
    if (dash > 0) return { kind: 'StatefulSet', name: pod.slice(0, dash) };
  }
  if (labels['pod-template-generation'] !== undefined) {
    const dash = pod.lastIndexOf('-');
    if (dash > 0) return { kind: 'DaemonSet', name: pod.slice(0, dash) };
  }
  return undefined;
}

function fromName(pod: string): Workload {
  const last = pod.lastIndexOf('-');
  if (last <= 0 || last === pod.length - 1) return { kind: 'Pod', name: pod };
  const tail = pod.length - last - 1;
  if (tail === 5 && allMatch(pod, last + 1, pod.length, isSuffixChar)) {
    const prev = pod.lastIndexOf('-', last - 1);
    if (prev > 0) {
      const mid = last - prev - 1;
      if (mid >= JOB_SCHEDULE_DIGITS_MIN && allMatch(pod, prev + 1, last, isDigit))
        return { kind: 'CronJob', name: pod.slice(0, prev) };
      if (mid >= 6 && mid <= 10 && allMatch(pod, prev + 1, last, isSuffixChar))
        return { kind: 'Deployment', name: pod.slice(0, prev) };
    }
    return { kind: 'DaemonSet', name: pod.slice(0, last) };
  }
  if (allMatch(pod, last + 1, pod.length, isDigit)) return { kind: 'StatefulSet', name: pod.slice(0, last) };
  return { kind: 'Pod', name: pod };
}

/** The workload owning `pod`, from labels when they tell, else from the name's shape. */
export function workloadOfPod(pod: string, labels?: Readonly<Record<string, string>>): Workload {
  if (labels !== undefined) {
    const labelled = fromLabels(pod, labels);
    if (labelled !== undefined) return labelled;
  }
  return fromName(pod);
}

const WORKLOAD_NAMES_MAX = 8192;

/**
 * workloadOfPod with the name-only derivation memoised: pod names repeat across millions of
 * flows. One per parser instance (each source creates its own parser), never shared between
 * sources or tests. Bounded: dropped wholesale when full (cheap; results are the same either way).
 */
export class WorkloadNames {
  private readonly byPod = new Map<string, Workload>();

  ofPod(pod: string, labels?: Readonly<Record<string, string>>): Workload {
    if (labels !== undefined) {
      const labelled = fromLabels(pod, labels);
      if (labelled !== undefined) return labelled;
    }
    let workload = this.byPod.get(pod);
    if (workload === undefined) {
      workload = fromName(pod);
      if (this.byPod.size >= WORKLOAD_NAMES_MAX) this.byPod.clear();
      this.byPod.set(pod, workload);
    }
    return workload;
  }
}

/**
 * The workload behind an aggregated pod-name prefix such as Calico's `nginx-86c57db685-*`
 * (the pods' generateName, given without the `*`; Goldmane and flow logs both use it):
 * `<n>-<hash>-` → Deployment `<n>`; `<n>-<8+ digits>-` → CronJob `<n>`; any other `<n>-` is the
 * generateName of a StatefulSet, a DaemonSet, a Job or a bare ReplicaSet: labels decide when
 * present (job-name → Job/CronJob, pod-template-generation → DaemonSet, controller-revision-hash
 * without it → StatefulSet), else DaemonSet (the same ambiguity as `<n>-<5>` pod names above).
 */
export function workloadOfPodPrefix(prefix: string, labels?: Readonly<Record<string, string>>): Workload {
  const base = prefix.endsWith('-') ? prefix.slice(0, -1) : prefix;
  if (labels !== undefined) {
    const job = labels['batch.kubernetes.io/job-name'] ?? labels['job-name'];
    if (job !== undefined && job.length > 0) return jobWorkload(job);
    const hash = labels['pod-template-hash'];
    if (hash !== undefined && base.endsWith(`-${hash}`))
      return { kind: 'Deployment', name: base.slice(0, base.length - hash.length - 1) };
    if (labels['pod-template-generation'] !== undefined) return { kind: 'DaemonSet', name: base };
    // StatefulSet and DaemonSet pods both carry controller-revision-hash; only DaemonSet pods
    // carry pod-template-generation (checked above). The per-pod StatefulSet labels survive in an
    // aggregate of one pod.
    if (
      labels['controller-revision-hash'] !== undefined ||
      labels['statefulset.kubernetes.io/pod-name'] !== undefined ||
      labels['apps.kubernetes.io/pod-index'] !== undefined
    ) {
      return { kind: 'StatefulSet', name: base };
    }
  }
  const dash = base.lastIndexOf('-');
  if (dash > 0) {
    const mid = base.length - dash - 1;
    if (mid >= JOB_SCHEDULE_DIGITS_MIN && allMatch(base, dash + 1, base.length, isDigit))
      return { kind: 'CronJob', name: base.slice(0, dash) };
    if (mid >= 6 && mid <= 10 && allMatch(base, dash + 1, base.length, isSuffixChar))
      return { kind: 'Deployment', name: base.slice(0, dash) };
  }
  return { kind: 'DaemonSet', name: base };
}
