// A loader stream with every record kind and every shape of conn and L7 flow, for the
// lazy-flow tests and the ring's (records-fixture.ts writes the records).
import { clockRecord, connRecord, dnsMessage, dnsRecord, dropRecord, l7Record, reasonRecord, statsRecord, textRecord } from './records-fixture.ts';

const OFFSET = 1_767_225_600_000_000_000n;
const client = { saddr: '10.231.0.2', daddr: '10.231.0.3', sport: 40000, dport: 8080 };
const server = { saddr: '10.231.0.3', daddr: '10.231.0.2', sport: 8080, dport: 40000 };
const v6 = { saddr: 'fd00::2', daddr: 'fd00::3', sport: 1000, dport: 80 };
const mapped = { saddr: '::ffff:a00:2', daddr: '::ffff:a00:3', sport: 80, dport: 1000 };
const dnsC = { saddr: '10.231.0.2', daddr: '10.231.0.53', sport: 5353, dport: 53 };
const FOLDED = 0x40;
const REQ_EGRESS = 0x80;
const OWN = 0x100;

/** Every record kind, and every shape of conn and L7 flow: opens, closes (FIN, RST, refused), folded pairs, HTTP, v6. */
export const everyKind = Buffer.concat([
  clockRecord(OFFSET),
  textRecord(100, 'ns_set_state,ns_l7'),
  reasonRecord(7, 'NETFILTER_DROP'),
  connRecord({ open: true, tsNs: 1_000_500_000n, t: client, cookie: 5, startNs: 1_000_000_000n, estabNs: 1_000_500_000n, srttUs: 30, pid: 42, flags: 0x11, comm: 'curl' }),
  connRecord({ open: true, tsNs: 1_000_600_000n, t: server, cookie: 6, startNs: 1_000_100_000n, estabNs: 1_000_600_000n, flags: 0x12 }),
  connRecord({ open: false, tsNs: 2_000_000_000n, t: client, cookie: 8, startNs: 1_999_900_000n, flags: 0x5, pid: 9, comm: 'nc' }),
  connRecord({ open: false, tsNs: 2_000_000_000n, t: server, cookie: 9, startNs: 1_999_900_000n, estabNs: 1_999_950_000n, flags: 0x1a }),
  connRecord({ open: false, tsNs: 2_100_000_000n, t: client, cookie: 13, startNs: 2_000_000_000n, estabNs: 2_000_050_000n, bytesSent: 64, bytesReceived: 128, segsOut: 4, segsIn: 3, srttUs: 21, pid: 4242, flags: 0x11 | FOLDED | REQ_EGRESS | OWN, comm: 'bpf-crr', l7ReqNs: 2_000_060_000n, l7RespNs: 2_000_081_500n }),
  connRecord({ open: false, tsNs: 2_100_000_000n, t: server, cookie: 14, startNs: 2_000_000_000n, estabNs: 2_000_040_000n, flags: 0x12 | FOLDED | OWN, l7ReqNs: 2_000_062_000n, l7RespNs: 2_000_080_000n }),
  connRecord({ open: false, tsNs: 2_200_000_000n, t: client, cookie: 15, startNs: 2_000_000_000n, estabNs: 2_000_050_000n, pid: 77, flags: 0x11 | FOLDED | REQ_EGRESS, comm: 'folded', l7ReqNs: 2_000_060_000n, l7RespNs: 2_000_090_000n }),
  // A new clock offset: flows decoded before it keep the old one, however late they are read.
  clockRecord(OFFSET + 5_000_000_123n),
  connRecord({ open: false, tsNs: 3_000_000_000n, t: v6, cookie: 10, flags: 0x11 }),
  connRecord({ open: false, tsNs: 3_000_000_000n, t: mapped, cookie: 11, startNs: 2_000_000_000n, flags: 0x12, pid: 1, comm: 'a-very-long-nam' }),
  l7Record({ tsNs: 4_000_000_000n, t: v6, cookie: 10, latencyNs: 3_500_000, reqEgress: true, req: 'POST /x HTTP/1.0\r\nhost: h\r\n\r\n', resp: 'HTTP/1.0 503 Unavailable' }),
  l7Record({ tsNs: 4_000_000_000n, t: mapped, cookie: 11, latencyNs: 300, reqEgress: false, req: 'GET /only-a-path', resp: 'garbage', pid: 3, comm: 'srv' }),
  l7Record({ tsNs: 4_000_000_000n, t: client, cookie: 12, latencyNs: 300, reqEgress: true, req: 'get / HTTP/1.1\r\n', resp: 'HTTP/1.1 200 OK' }),
  l7Record({ tsNs: 4_100_000_000n, t: server, cookie: 16, latencyNs: 17_500_000, reqEgress: false, req: 'GET /api/x HTTP/1.1\r\nHost: web:8080\r\n\r\n', resp: 'HTTP/1.1 200 OK', pid: 4241, comm: 'web' }),
  dropRecord({ tsNs: 5_000_000_000n, t: client, reason: 7, tcpFlags: 0x12, ifindex: 4 }),
  dropRecord({ tsNs: 5_000_000_000n, t: { ...client, proto: 17 }, reason: 99 }),
  dnsRecord({ tsNs: 6_000_000_000n, t: dnsC, cookie: 3, egress: true, msg: dnsMessage({ id: 9, response: false, name: 'web.lab' }) }),
  dnsRecord({ tsNs: 6_000_800_000n, t: { ...dnsC, saddr: dnsC.daddr, daddr: dnsC.saddr, sport: 53, dport: 5353 }, cookie: 3, egress: false, msg: dnsMessage({ id: 9, response: true, name: 'web.lab', answers: ['10.231.0.3'] }) }),
  statsRecord(3, 100),
  textRecord(104, 'packet drops not observed'),
]);
