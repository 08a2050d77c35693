// `netpol-advisor snapshot`: writes the cluster snapshot the other commands take as --cluster,
// listing exactly the kinds they read (all namespaces) through the kubeconfig with
// @kubernetes/client-node, so nobody has to assemble the `kubectl get` line. Lists are paged
// (limit/continue); the CNI policy kinds the doctor looks for are included when their CRDs
// exist. The file is written whole or not at all (temporary file, then rename).
import { rename, writeFile } from 'node:fs/promises';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { loadKubeConfig } from '../k8s/inventory.js';
import { parseCommandArgs, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `usage: netpol-advisor snapshot [--out FILE] [--output json|yaml] [--kubeconfig FILE] [--context NAME]

Saves what the other commands need to know about the cluster (namespaces, nodes, pods, services,
NetworkPolicies, and the ReplicaSets and Jobs that name a pod's workload, in all namespaces; plus
Cilium, Calico, AdminNetworkPolicy and ClusterNetworkPolicy objects where those are installed) to one file, for
--cluster. It is what \`kubectl get\` of those kinds with -A -o json prints. Uses your kubeconfig
($KUBECONFIG or ~/.kube/config, or the pod's service account inside a cluster); it only reads.

options:
  --out FILE          write here (default: standard output)
  --output FORMAT     json (default) or yaml
  --kubeconfig FILE   this kubeconfig instead of the default one
  --context NAME      this context instead of the current one
  -h, --help          this help
`;

const PAGE = 500;
/** Bounds one listing (a runaway or hostile API server cannot exhaust memory through us). */
const MAX_OBJECTS_PER_KIND = 500_000;

interface Page {
  readonly items: readonly object[];
  readonly metadata?: { readonly _continue?: string; readonly continue?: string };
}

interface KindSpec {
  readonly kind: string;
  readonly apiVersion: string;
  /** Plural for messages and RBAC hints. */
  readonly resource: string;
  /** A CRD that may not be installed: 404 means "none". */
  readonly optional: boolean;
  list(token: string | undefined): Promise<Page>;
}

function kinds(kc: KubeConfig): KindSpec[] {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const paging = (token: string | undefined) => ({
    limit: PAGE,
    ...(token !== undefined ? { _continue: token } : {}),
  });
  const crd = (kind: string, group: string, version: string, plural: string): KindSpec => ({
    kind,
    apiVersion: `${group}/${version}`,
    resource: `${plural}.${group}`,
    optional: true,
    list: async (token) =>
      (await custom.listClusterCustomObject({ group, version, plural, ...paging(token) })) as Page,
  });
  return [
    {
      kind: 'Namespace',
      apiVersion: 'v1',
      resource: 'namespaces',
      optional: false,
      list: (t) => core.listNamespace(paging(t)),
    },
    {
      kind: 'Node',
      apiVersion: 'v1',
      resource: 'nodes',
      optional: false,
      list: (t) => core.listNode(paging(t)),
    },
    {
      kind: 'Pod',
      apiVersion: 'v1',
      resource: 'pods',
      optional: false,
      list: (t) => core.listPodForAllNamespaces(paging(t)),
    },
    {
      kind: 'Service',
      apiVersion: 'v1',
      resource: 'services',
      optional: false,
      list: (t) => core.listServiceForAllNamespaces(paging(t)),
    },
    {
      kind: 'NetworkPolicy',
      apiVersion: 'networking.k8s.io/v1',
      resource: 'networkpolicies.networking.k8s.io',
      optional: false,
      list: (t) => networking.listNetworkPolicyForAllNamespaces(paging(t)),
    },
    {
      kind: 'ReplicaSet',
      apiVersion: 'apps/v1',
      resource: 'replicasets.apps',
      optional: false,
      list: (t) => apps.listReplicaSetForAllNamespaces(paging(t)),
    },
    {
      kind: 'Job',
      apiVersion: 'batch/v1',
      resource: 'jobs.batch',
      optional: false,
      list: (t) => batch.listJobForAllNamespaces(paging(t)),
    },
    crd('CiliumNetworkPolicy', 'cilium.io', 'v2', 'ciliumnetworkpolicies'),
    crd('CiliumClusterwideNetworkPolicy', 'cilium.io', 'v2', 'ciliumclusterwidenetworkpolicies'),
    crd('NetworkPolicy', 'crd.projectcalico.org', 'v1', 'networkpolicies'),
    crd('GlobalNetworkPolicy', 'crd.projectcalico.org', 'v1', 'globalnetworkpolicies'),
    crd('AdminNetworkPolicy', 'policy.networking.k8s.io', 'v1alpha1', 'adminnetworkpolicies'),
    crd('BaselineAdminNetworkPolicy', 'policy.networking.k8s.io', 'v1alpha1', 'baselineadminnetworkpolicies'),
    crd('ClusterNetworkPolicy', 'policy.networking.k8s.io', 'v1alpha2', 'clusternetworkpolicies'),
  ];
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

/** Every object of one kind, each with its kind and apiVersion (List items omit them). */
async function listAll(spec: KindSpec, server: string): Promise<object[] | undefined> {
  const out: object[] = [];
  let token: string | undefined;
  do {
    let page: Page;
    try {
      page = await spec.list(token);
    } catch (error) {
      const code = statusCode(error);
      if (spec.optional && code === 404) return undefined;
      if (code === 401)
        throw new SnapshotError(
          `the API server at ${server} did not accept the kubeconfig's credentials (401)`,
          { cause: error },
        );
      if (code === 403)
        throw new SnapshotError(
          `not allowed to list ${spec.resource} in all namespaces (403): the kubeconfig's identity needs get/list on them`,
          { cause: error },
        );
      const why =
        code !== undefined
          ? `HTTP ${code}`
          : error instanceof Error
            ? ((error.cause as { code?: string } | undefined)?.code ?? error.message)
            : String(error);
      throw new SnapshotError(`listing ${spec.resource} from ${server} failed: ${why}`, { cause: error });
    }
    // Typed models hold Dates; a JSON round trip gives the API's own representation back.
    for (const item of page.items)
      out.push({
        apiVersion: spec.apiVersion,
        kind: spec.kind,
        ...(JSON.parse(JSON.stringify(item)) as object),
      });
    if (out.length > MAX_OBJECTS_PER_KIND)
      throw new SnapshotError(
        `more than ${MAX_OBJECTS_PER_KIND} ${spec.resource}: refusing to write a snapshot that large`,
      );
    const next = page.metadata?._continue ?? page.metadata?.continue;
    token = next !== undefined && next !== '' ? next : undefined;
  } while (token !== undefined);
  return out;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    out: { type: 'string' },
    output: { type: 'string', short: 'o' },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const output = values.output ?? 'json';
  if (output !== 'json' && output !== 'yaml')
    throw new UsageError(`--output: expected json or yaml, got "${output}"`);
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig({
      ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context !== undefined ? { context: values.context } : {}),
    });
  } catch (error) {
    throw new UsageError(
      `cannot load the kubeconfig${values.kubeconfig !== undefined ? ` ${values.kubeconfig}` : ''}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null)
    throw new UsageError('the kubeconfig has no current context (pass --kubeconfig or --context)');

  const items: object[] = [];
  const counts: string[] = [];
  try {
    for (const spec of kinds(kc)) {
      const objects = await listAll(spec, cluster.server);
      if (objects === undefined) continue;
      items.push(...objects);
      if (!spec.optional || objects.length > 0) counts.push(`${objects.length} ${spec.resource}`);
    }
  } catch (error) {
    if (error instanceof SnapshotError) {
      process.stderr.write(`netpol-advisor snapshot: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
  const text = output === 'json' ? `${JSON.stringify(list, null, 2)}\n` : stringify(list, { lineWidth: 0 });
  if (values.out === undefined) {
    process.stdout.write(text);
  } else {
    const temporary = `${values.out}.tmp-${process.pid}`;
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, values.out);
  }
  process.stderr.write(
    `netpol-advisor snapshot: ${values.out ?? 'stdout'}: ${counts.join(', ')} (context ${kc.getCurrentContext()})\n`,
  );
  return 0;
}

export const snapshotCommand: Command = {
  summary: "save the cluster's namespaces, pods, services, nodes and policies to a file",
  run,
};
