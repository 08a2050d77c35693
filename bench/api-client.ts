// The load generator of bench/api.ts, in its own process (forked by it; never run directly), so
// the client's work does not share the server's event loop — as with wrk or autocannon. Per route,
// on the parent's messages: `cold` (one timed request on a fresh connection), `warm` (open the
// keep-alive connections: `concurrency` untimed requests at once, one per connection — the
// first route opens them, later routes reuse them), `timed` (`concurrency` clients issue
// `requests` requests in total back to back; each timed from the request's write to the last
// body byte). Latencies go back over IPC.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export type ClientCommand =
  | { readonly type: 'cold'; readonly port: number; readonly route: string; readonly concurrency: number }
  | { readonly type: 'warm'; readonly port: number; readonly route: string; readonly concurrency: number }
  | {
      readonly type: 'timed';
      readonly port: number;
      readonly route: string;
      readonly concurrency: number;
      readonly requests: number;
    }
  | { readonly type: 'exit' };

export interface ClientReply {
  readonly type: 'done';
  readonly latencies: number[];
  readonly bodyBytes: number;
  /** Status codes other than 200 seen (none expected). */
  readonly failures: number;
  /** Responses that said X-Data-Stale. */
  readonly stale: number;
}

interface Response {
  readonly ms: number;
  readonly bytes: number;
  readonly ok: boolean;
  readonly stale: boolean;
}

let agent: http.Agent | undefined;

function request(port: number, route: string, useAgent: http.Agent | false): Promise<Response> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: route, agent: useAgent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () =>
        resolve({
          ms: performance.now() - started,
          bytes,
          ok: res.statusCode === 200,
          stale: res.headers['x-data-stale'] !== undefined,
        }),
      );
    });
    req.on('error', reject);
  });
}

async function handle(command: Exclude<ClientCommand, { type: 'exit' }>): Promise<ClientReply> {
  agent ??= new http.Agent({ keepAlive: true, maxSockets: command.concurrency });
  const responses: Response[] = [];
  if (command.type === 'cold') {
    responses.push(await request(command.port, command.route, false));
  } else if (command.type === 'warm') {
    const shared = agent;
    responses.push(
      ...(await Promise.all(
        Array.from({ length: command.concurrency }, () => request(command.port, command.route, shared)),
      )),
    );
  } else {
    const shared = agent;
    const total = command.requests;
    let issued = 0;
    await Promise.all(
      Array.from({ length: command.concurrency }, async () => {
        while (issued < total) {
          issued++;
          responses.push(await request(command.port, command.route, shared));
        }
      }),
    );
  }
  return {
    type: 'done',
    latencies: responses.map((r) => r.ms),
    bodyBytes: responses.at(-1)?.bytes ?? 0,
    failures: responses.filter((r) => !r.ok).length,
    stale: responses.filter((r) => r.stale).length,
  };
}

process.on('message', (message: ClientCommand) => {
  if (message.type === 'exit') {
    agent?.destroy();
    process.disconnect();
    return;
  }
  handle(message).then(
    (reply) => process.send?.(reply),
    (error: unknown) => {
      process.stderr.write(`bench client: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
