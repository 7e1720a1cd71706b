// Small flow builders for stream and view tests.
import type { Flow, Verdict } from '../../../src/model/flow.ts';

export interface FlowSpec {
  t?: number; // ms since epoch
  from?: string; // ns/pod
  to?: string; // ns/pod
  svc?: string; // destination service name
  verdict?: Verdict;
  port?: number;
  http?: { method?: string; url?: string; code?: number; latencyMs?: number };
  syn?: boolean;
  dropReason?: string;
}

function ep(s: string | undefined) {
  if (!s) return undefined;
  const [namespace, pod] = s.split('/');
  const app = pod.replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}$/, '');
  return { namespace, pod_name: pod, labels: [`k8s:app=${app}`] };
}

export function mkFlow(s: FlowSpec): Flow {
  const f: Flow = {
    time: new Date(s.t ?? 1_700_000_000_000).toISOString(),
    verdict: s.verdict ?? 'FORWARDED',
    source: ep(s.from ?? 'shop/frontend-5d8f7c6b9d-abcde'),
    destination: ep(s.to ?? 'shop/cartservice-6c9b8d7f5c-fghij'),
    IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40000, destination_port: s.port ?? 7070, flags: s.syn ? { SYN: true } : { ACK: true } } },
    Type: s.http ? 'L7' : 'L3_L4',
    node_name: 'node-a',
  };
  if (s.svc) f.destination_service = { name: s.svc, namespace: f.destination?.namespace };
  if (s.http) {
    // An L7 response, as Hubble records it: from the server back to the client.
    [f.source, f.destination] = [f.destination, f.source];
    if (f.destination_service) [f.source_service, f.destination_service] = [f.destination_service, undefined];
    f.is_reply = true;
    f.l7 = { type: 'RESPONSE', latency_ns: (s.http.latencyMs ?? 1) * 1e6, http: { method: s.http.method ?? 'GET', url: s.http.url ?? '/', code: s.http.code ?? 200, protocol: 'HTTP/1.1' } };
  }
  if (s.verdict === 'DROPPED') {
    f.drop_reason_desc = s.dropReason ?? 'POLICY_DENIED';
  }
  return f;
}
