// A recording alert receiver on 127.0.0.1: stores every request (method, path, headers, JSON
// body), answers with scripted statuses (then 200), and can be stopped and restarted on the same
// port to play a receiver that is down and comes back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

export class AlertReceiver {
  readonly requests: ReceivedRequest[] = [];
  private script: number[] = [];
  private server: http.Server | undefined;
  private port = 0;

  /** The next requests get these statuses, in order; afterwards 200. */
  respondWith(...statuses: number[]): void {
    this.script.push(...statuses);
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          body = text;
        }
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        res.statusCode = this.script.shift() ?? 200;
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening (connections are then refused); start() again reuses the port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
