// Hubble lines for the shadow-mode suites, cut from the shop scenario's fixture (test/fixtures/
// recommend/shop-hubble.jsonl): the connection start of a named path, re-timed and with the
// verdict chosen, so the real parser reads them exactly as it reads the fixture.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const RECOMMEND_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/recommend');
export const SHOP_LINES = readFileSync(path.join(RECOMMEND_FIXTURES, 'shop-hubble.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

interface HubbleLine {
  time: string;
  flow: {
    time: string;
    verdict: string;
    source: { pod_name?: string };
    destination: { pod_name?: string };
    IP: { destination: string };
    l4: { TCP?: { destination_port: number; flags?: { ACK?: boolean } }; UDP?: { destination_port: number } };
  };
}

/** A connection start from `from` (pod name prefix) to `to` (pod name prefix or IP) on `port`, at `timeMs`. */
export function shopLine(
  from: string,
  to: string,
  port: number,
  timeMs: number,
  verdict: 'FORWARDED' | 'DROPPED' = 'FORWARDED',
): string {
  for (const text of SHOP_LINES) {
    const line = JSON.parse(text) as HubbleLine;
    const tcp = line.flow.l4.TCP;
    if (tcp?.flags?.ACK === true) continue;
    const dport = tcp?.destination_port ?? line.flow.l4.UDP?.destination_port;
    const src = line.flow.source.pod_name ?? '';
    const dst = line.flow.destination.pod_name ?? line.flow.IP.destination;
    if (src.startsWith(from) && dst.startsWith(to) && dport === port) {
      const time = new Date(timeMs).toISOString();
      line.time = time;
      line.flow.time = time;
      line.flow.verdict = verdict;
      return JSON.stringify(line);
    }
  }
  throw new Error(`no connection start ${from} -> ${to}:${port} in the shop fixture`);
}
