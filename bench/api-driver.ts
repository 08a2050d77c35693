// The API benchmarks' side of the forked load generator (bench/api-client.ts): one command at a
// time over IPC, and the percentile both benchmarks report.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientCommand, ClientReply } from './api-client.js';

/** The value at percentile `p` (0–100) of an ascending list (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The forked load generator, one command at a time. */
export class Client {
  private readonly child = fork(fileURLToPath(new URL('./api-client.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  ask(command: Exclude<ClientCommand, { type: 'exit' }>): Promise<ClientReply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`bench client exited (${String(code)})`));
      this.child.once('exit', onExit);
      this.child.once('message', (reply: ClientReply) => {
        this.child.off('exit', onExit);
        if (reply.failures > 0)
          reject(new Error(`${command.route}: ${reply.failures} responses were not 200`));
        else resolve(reply);
      });
      this.child.send(command);
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'exit' } satisfies ClientCommand);
    await exited;
  }
}
