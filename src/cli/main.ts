// The `netpol-advisor` command: dispatches to one module per subcommand. Each module exports
// `run(argv)` returning the exit status (0 ok, 1 runtime failure, 2 bad usage or input). The
// one-line descriptions live here, in the words of someone running a cluster, so `--help` needs
// no command module loaded.
import { UsageError } from './args.js';
import { packageVersion } from './version.js';

export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

interface Entry {
  readonly description: string;
  readonly load: () => Promise<Command>;
}

const commands: Record<string, Entry> = {
  serve: {
    description:
      'run the service: collect traffic, keep it, serve the dashboard and API (a demo if no source is set)',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  ingest: {
    description: 'read flow logs (Hubble, Calico) from files or stdin',
    load: async () => (await import('./ingest.js')).ingestCommand,
  },
  flows: {
    description: 'list the connections seen between workloads',
    load: async () => (await import('./flows.js')).flowsCommand,
  },
  recommend: {
    description: 'propose least-privilege NetworkPolicies from the traffic seen, checked against it',
    load: async () => (await import('./recommend.js')).recommendCommand,
  },
  simulate: {
    description: 'show which of the traffic seen a set of NetworkPolicies would block',
    load: async () => (await import('./simulate.js')).simulateCommand,
  },
  drops: {
    description: 'list blocked traffic: why it was blocked, whether it looks legitimate, the fix',
    load: async () => (await import('./drops.js')).dropsCommand,
  },
  doctor: {
    description: 'find policy problems: blocked DNS, rules that match nothing, unprotected pods…',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
  staged: {
    description: 'try proposed policies in shadow mode: which live traffic they would block, before applying',
    load: async () => (await import('./staged.js')).stagedCommand,
  },
  eval: {
    description: "can this pod or workload reach that one under the cluster's policies, and why",
    load: async () => (await import('./eval.js')).evalCommand,
  },
  snapshot: {
    description: "save the cluster's namespaces, pods, services, nodes and policies to a file",
    load: async () => (await import('./snapshot.js')).snapshotCommand,
  },
  backup: {
    description: 'copy the database safely while the service is using it',
    load: async () => (await import('./backup.js')).backupCommand,
  },
};

function usage(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: netpol-advisor <command> [options]',
    '',
    'Learns which workloads talk to each other (Cilium Hubble, Calico), proposes NetworkPolicies',
    'that allow exactly that, and explains the traffic that policies block.',
    '',
    'commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${commands[name]?.description ?? ''}`),
    '',
    `  netpol-advisor <command> --help   the options of one command`,
    `  netpol-advisor --version          the version`,
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`netpol-advisor ${packageVersion()}\n`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    process.stderr.write(`netpol-advisor: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`netpol-advisor ${name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`netpol-advisor ${name}: ${message}\n`);
    return 1;
  }
}
