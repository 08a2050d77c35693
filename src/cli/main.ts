// The `netpol-advisor` command: dispatches to one module per subcommand. Each module exports
// `run(argv)` returning the exit status (0 ok, 1 runtime failure, 2 bad usage or input).
import { UsageError } from './args.js';

export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

type CommandLoader = () => Promise<Command>;

const commands: Record<string, CommandLoader> = {
  ingest: async () => (await import('./ingest.js')).ingestCommand,
  flows: async () => (await import('./flows.js')).flowsCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  eval: async () => (await import('./eval.js')).evalCommand,
  recommend: async () => (await import('./recommend.js')).recommendCommand,
  simulate: async () => (await import('./simulate.js')).simulateCommand,
  doctor: async () => (await import('./doctor.js')).doctorCommand,
  drops: async () => (await import('./drops.js')).dropsCommand,
  staged: async () => (await import('./staged.js')).stagedCommand,
};

function usage(): string {
  const names = Object.keys(commands).sort();
  return [
    'usage: netpol-advisor <command> [options]   (netpol-advisor <command> --help for details)',
    '',
    'commands:',
    ...names.map((name) => `  ${name}`),
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`netpol-advisor: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  try {
    const command = await load();
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
