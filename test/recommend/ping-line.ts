// A ping from shop/api to data/postgres as a Hubble exporter line (the shop scenario's pods,
// test/fixtures/recommend): ICMP, which NetworkPolicy cannot express, so a proposal that isolates
// either end is not safe to apply. Shared by the CLI and API tests of unsafe proposals.
export const SHOP_TO_DATA_PING = JSON.stringify({
  flow: {
    time: '2026-11-20T09:30:00.000Z',
    verdict: 'FORWARDED',
    IP: { source: '10.0.4.2', destination: '10.0.5.2', ipVersion: 'IPv4' },
    l4: { ICMPv4: { type: 8 } },
    source: {
      identity: 40000,
      namespace: 'shop',
      pod_name: 'api-5f6b7c8d9b-qq4zt',
      labels: ['k8s:app.kubernetes.io/name=api'],
      workloads: [{ name: 'api', kind: 'Deployment' }],
    },
    destination: {
      identity: 40001,
      namespace: 'data',
      pod_name: 'postgres-0',
      labels: ['k8s:app.kubernetes.io/name=postgres'],
      workloads: [{ name: 'postgres', kind: 'StatefulSet' }],
    },
    Type: 'L3_L4',
    is_reply: false,
    event_type: { type: 4 },
  },
});
