// A Service of the API objects: its selector, cluster IPs and ports (each port checked; one bad
// port leaves the Service out, every problem reported).
import { isRecord } from '../lib/is-record.js';
import type { ServiceInfo, ServicePort } from './model.js';
import { canonical, protocolOf, str, stringMap } from './object-fields.js';

/** Reports a problem of the object being read (objectName: when the object cannot name itself). */
export type Fail = (path: string, message: string, objectName?: string) => void;

/** A Service, or undefined when a port is invalid (each problem reported). */
export function readService(
  object: Record<string, unknown>,
  namespace: string,
  name: string,
  fail: Fail,
): ServiceInfo | undefined {
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const selector = stringMap(spec['selector']);
  const ipTexts = Array.isArray(spec['clusterIPs']) ? (spec['clusterIPs'] as unknown[]) : [spec['clusterIP']];
  const clusterIPs = ipTexts.map(canonical).filter((ip): ip is string => ip !== undefined);
  const ports: ServicePort[] = [];
  let bad = false;
  (Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]) : []).forEach((p, i) => {
    if (!isRecord(p)) return;
    const port = p['port'];
    const protocol = protocolOf(p['protocol']);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      fail(`spec.ports[${i}].port`, 'must be between 1 and 65535');
      bad = true;
      return;
    }
    if (protocol === undefined) {
      fail(`spec.ports[${i}].protocol`, `unsupported protocol ${JSON.stringify(p['protocol'])}`);
      bad = true;
      return;
    }
    const target = p['targetPort'];
    const targetPort = typeof target === 'number' || typeof target === 'string' ? target : port;
    const portName = str(p['name']);
    ports.push({ ...(portName !== undefined ? { name: portName } : {}), port, targetPort, protocol });
  });
  const type = str(spec['type']);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the callbacks above
  if (bad) return undefined;
  return {
    namespace,
    name,
    ...(selector !== undefined && Object.keys(selector).length > 0 ? { selector } : {}),
    ...(type !== undefined ? { type } : {}),
    clusterIPs,
    ports,
  };
}
