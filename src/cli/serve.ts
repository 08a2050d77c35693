// `netpol-advisor serve`: loads the configuration (exit 2 listing every problem), starts the
// daemon, and on SIGTERM/SIGINT shuts it down cleanly (exit 0). A second signal, or a shutdown
// that overruns its deadline, exits 1 at once.
import { formatListen } from '../config/listen.js';
import { loadConfig } from '../config/load.js';
import { DaemonConfigError, startDaemon } from '../daemon.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './main.js';

const SHUTDOWN_DEADLINE_MS = 20_000;

const HELP = `usage: netpol-advisor serve [--config FILE] [--listen ADDR] [--db FILE]

Runs the service: reads traffic from the configured sources, keeps it in the database, and
serves the dashboard and the HTTP API (/healthz, /readyz, /metrics, /api/v1/…).
With no source configured it runs in demo mode, replaying a bundled demo application
(loopback only, database ./netpol-advisor-demo.db unless --db or "db:" says otherwise).

options:
  --config FILE   YAML configuration (default $NETPOL_ADVISOR_CONFIG; none: all defaults)
  --listen ADDR   HOST:PORT to listen on (default $NETPOL_ADVISOR_LISTEN or 127.0.0.1:8080)
  --db FILE       the database (default $NETPOL_ADVISOR_DB, or ./netpol-advisor.db with sources
                  configured, ./netpol-advisor-demo.db in demo mode)
  -h, --help      this help

environment: NETPOL_ADVISOR_CONFIG, NETPOL_ADVISOR_LISTEN, NETPOL_ADVISOR_DB,
  NETPOL_ADVISOR_LOG_LEVEL, NETPOL_ADVISOR_AUTH_MODE, NETPOL_ADVISOR_AUTH_TOKEN_FILE,
  NETPOL_ADVISOR_KUBERNETES (true|false). Flags win over the environment, which wins over the file.
`;

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    config: { type: 'string' },
    listen: { type: 'string' },
    db: { type: 'string' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const loaded = loadConfig({
    ...(values.config !== undefined ? { file: values.config } : {}),
    env: process.env,
    flags: {
      ...(values.listen !== undefined ? { listen: values.listen } : {}),
      ...(values.db !== undefined ? { db: values.db } : {}),
    },
  });
  if (!loaded.ok) {
    const where = values.config ?? process.env['NETPOL_ADVISOR_CONFIG'];
    process.stderr.write(
      `netpol-advisor serve: invalid configuration${where !== undefined && where !== '' ? ` (${where})` : ''}: ${loaded.problems.length} problem(s)\n`,
    );
    for (const problem of loaded.problems) process.stderr.write(`  ${problem}\n`);
    return 2;
  }

  let daemon;
  try {
    daemon = await startDaemon(loaded.config);
  } catch (error) {
    if (error instanceof DaemonConfigError) {
      process.stderr.write(`netpol-advisor serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // The one line a person starting it needs (the logs are JSON for machines, on stdout).
  const url = `http://${formatListen(daemon.address)}/`;
  process.stderr.write(
    loaded.config.demoMode
      ? `netpol-advisor: demo dashboard at ${url} (replaying the bundled demo; Ctrl-C to stop)\n`
      : `netpol-advisor: serving ${url}\n`,
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const force = (): void => {
    process.stderr.write('netpol-advisor serve: forced exit before shutdown completed\n');
    process.exit(1);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  const deadline = setTimeout(force, SHUTDOWN_DEADLINE_MS);
  daemon.logger.info({ signal }, 'signal received');
  await daemon.stop();
  clearTimeout(deadline);
  process.off('SIGTERM', force);
  process.off('SIGINT', force);
  // Everything is closed; if a library still holds the event loop, do not hang the pod.
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}

export const serveCommand: Command = {
  summary: 'run the daemon: sources → store → HTTP API (demo mode when no source is configured)',
  run,
};
