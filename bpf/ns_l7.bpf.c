// SPDX-License-Identifier: GPL-2.0
/* Request/response latency and payload snapshots at the socket layer, from
 * cgroup_skb ingress/egress on the root cgroup (sees every socket's packets with
 * the IP header first, and the socket cookie that joins them to connections).
 * Per TCP socket: the direction of the first payload is the request direction; a
 * request starts with the first payload in that direction after a response, and
 * the first payload the other way ends it. One record per request/response pair
 * carries the latency and the first bytes of both (HTTP/1.x is parsed from them in
 * user space). UDP port 53 datagrams are copied for DNS parsing. */
#include "ns_common.bpf.h"

/* Set by the loader (.bss): hold a connection's first non-HTTP request/response
 * pair for its close summary (see ns_sock_state). Only when ns_open_scan runs, as
 * that is what reports pairs held by long connections. */
volatile __u32 ns_fold_l7;

/* Whether a request may be HTTP/1.x (the loader's parser decides): a method token
 * first. Such requests always get their own record, for method, path and status. */
static __always_inline int ns_maybe_http(const struct ns_sock_state *st)
{
	if (st->req_len < 4)
		return 0;
	__u32 w;
	__builtin_memcpy(&w, st->req, 4);
#define NS_W(a, b, c, d) ((__u32)(a) | (__u32)(b) << 8 | (__u32)(c) << 16 | (__u32)(d) << 24)
	return w == NS_W('G', 'E', 'T', ' ') || w == NS_W('P', 'O', 'S', 'T') || w == NS_W('P', 'U', 'T', ' ') ||
	       w == NS_W('H', 'E', 'A', 'D') || w == NS_W('D', 'E', 'L', 'E') || w == NS_W('O', 'P', 'T', 'I') ||
	       w == NS_W('P', 'A', 'T', 'C') || w == NS_W('C', 'O', 'N', 'N') || w == NS_W('T', 'R', 'A', 'C');
#undef NS_W
}

/* Headers are read in place (direct packet access: no helper call per field);
 * this runs for every packet of every socket, so it must stay cheap: TCP segments
 * without payload (most of them: handshake, ACKs, FINs) leave before the tuple is
 * built. Packets whose headers are not in the linear area (rare for local sockets)
 * are skipped. Returns 0 with *t filled, 1 for a TCP segment without payload, -1
 * for anything else. */
static __always_inline int ns_parse(struct __sk_buff *skb, struct ns_tuple *t, __u32 *payload_off)
{
	__u8 *data = (__u8 *)(long)skb->data;
	__u8 *end = (__u8 *)(long)skb->data_end;
	if (data + 40 > end)
		return -1; /* shorter than any IPv4 + TCP/UDP or IPv6 header we use */
	__u8 vihl = data[0];
	__u32 l4off;
	__u8 proto;
	if ((vihl >> 4) == 4) {
		struct ns_iph4 { __u8 vihl, tos; __u16 len, id, frag; __u8 ttl, proto; __u16 csum; __u32 s, d; } *ip = (void *)data;
		if (bpf_ntohs(ip->frag) & 0x1fff)
			return -1;
		proto = ip->proto;
		l4off = (vihl & 0xf) * 4;
	} else if ((vihl >> 4) == 6) {
		proto = data[6];
		l4off = 40;
	} else {
		return -1;
	}
	if (proto != NS_IPPROTO_TCP && proto != NS_IPPROTO_UDP)
		return -1;
	if (l4off > 60)
		return -1;
	__u8 *l4 = data + l4off;
	if (l4 + 20 > end)
		return -1;
	if (proto == NS_IPPROTO_TCP) {
		*payload_off = l4off + (l4[12] >> 4) * 4;
		if (skb->len <= *payload_off)
			return 1;
	} else {
		*payload_off = l4off + 8;
	}
	__builtin_memset(t, 0, sizeof(*t));
	if ((vihl >> 4) == 4) {
		__builtin_memcpy(t->saddr, data + 12, 4);
		__builtin_memcpy(t->daddr, data + 16, 4);
		t->family = 4;
	} else {
		__builtin_memcpy(t->saddr, data + 8, 16);
		__builtin_memcpy(t->daddr, data + 24, 16);
		t->family = 6;
	}
	t->proto = proto;
	__u16 *ports = (__u16 *)l4;
	t->sport = ports[0];
	t->dport = ports[1];
	return 0;
}

/* Copy up to max bytes of payload (max is a compile-time constant <= 128). The
 * check after the barrier keeps the length provably bounded for the verifier. */
static __always_inline __u16 ns_snap(struct __sk_buff *skb, __u32 off, __u32 avail, __u8 *dst, __u32 max)
{
	__u64 n = avail;
	if (n > max)
		n = max;
	/* Opaque to clang, so it cannot fold the bounds check below away. */
	asm volatile("" : "+r"(n));
	if (n == 0 || n > max)
		return 0;
	if (bpf_skb_load_bytes(skb, off, dst, n))
		return 0;
	return n;
}

static __always_inline void ns_dns(struct __sk_buff *skb, struct ns_tuple *t, __u32 off, int egress)
{
	__u32 avail = skb->len > off ? skb->len - off : 0;
	if (avail < 12)
		return;
	struct ns_dns *r = ns_reserve(sizeof(*r));
	if (!r)
		return;
	ns_hdr_init(&r->hdr, NS_REC_DNS, sizeof(*r));
	r->t = *t;
	r->cookie = bpf_get_socket_cookie(skb);
	r->egress = egress;
	r->pid = 0;
	r->pad = 0;
	__builtin_memset(r->data, 0, sizeof(r->data));
	r->len = ns_snap(skb, off, avail, r->data, NS_L7_SNAP + 32);
	ns_submit(r);
}

static __always_inline int ns_skb(struct __sk_buff *skb, int egress)
{
	struct ns_tuple t;
	__u32 off = 0;
	if (ns_parse(skb, &t, &off))
		return 1; /* not TCP/UDP, or a TCP segment without payload */
	if (t.proto == NS_IPPROTO_UDP) {
		if (t.sport == bpf_htons(53) || t.dport == bpf_htons(53))
			ns_dns(skb, &t, off, egress);
		return 1;
	}
	__u32 avail = skb->len - off;
	struct bpf_sock *bsk = skb->sk;
	if (!bsk)
		return 1;
	bsk = bpf_sk_fullsock(bsk);
	if (!bsk)
		return 1;
	__u64 cookie = bpf_get_socket_cookie(skb);
	/* A connection seen opening has a slot (or storage); one open before netscope
	 * started gets socket-local storage here. */
	struct ns_sock_state *st = ns_state_of(bsk, cookie, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 1;
	__u8 dir = egress ? 1 : 2;
	if (!st->req_dir)
		st->req_dir = dir;
	if (dir == st->req_dir) {
		if (!st->awaiting) {
			st->awaiting = 1;
			st->req_ns = bpf_ktime_get_boot_ns();
			st->req_len = ns_snap(skb, off, avail, st->req, NS_L7_SNAP);
		}
		return 1; /* more of the same request */
	}
	if (!st->awaiting)
		return 1; /* more of the same response */
	st->awaiting = 0;
	__u64 now = bpf_ktime_get_boot_ns();
	/* A known connection's first pair, not HTTP: hold it for the close summary. */
	if (ns_fold_l7 && (st->flags & NS_F_KNOWN) && st->t.family && st->fold == NS_FOLD_NONE && !ns_maybe_http(st)) {
		st->fold = NS_FOLD_HELD;
		st->fold_req_egress = st->req_dir == 1;
		st->fold_req_ns = st->req_ns;
		st->fold_resp_ns = now;
		return 1;
	}
	if (st->fold == NS_FOLD_HELD)
		ns_emit_held_l7(st, cookie); /* a second pair: keep pairs in order */
	st->fold = NS_FOLD_DONE;

	struct ns_l7 *r = ns_reserve(sizeof(*r));
	if (!r)
		return 1;
	r->hdr.type = NS_REC_L7;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = now;
	/* socket view: local side first */
	if (egress) {
		r->t = t;
	} else {
		__builtin_memcpy(r->t.saddr, t.daddr, 16);
		__builtin_memcpy(r->t.daddr, t.saddr, 16);
		r->t.sport = t.dport;
		r->t.dport = t.sport;
		r->t.family = t.family;
		r->t.proto = t.proto;
		r->t.pad = 0;
	}
	r->cookie = cookie;
	r->req_ns = st->req_ns;
	r->latency_ns = now - st->req_ns;
	r->req_egress = st->req_dir == 1;
	r->req_len = st->req_len;
	__builtin_memcpy(r->req, st->req, NS_L7_SNAP);
	__builtin_memset(r->resp, 0, sizeof(r->resp));
	r->resp_len = ns_snap(skb, off, avail, r->resp, 32);
	if (st->flags & NS_F_KNOWN) {
		r->pid = st->pid;
		__builtin_memcpy(r->comm, st->comm, NS_COMM_LEN);
	} else {
		r->pid = 0;
		__builtin_memset(r->comm, 0, NS_COMM_LEN);
	}
	ns_submit(r);
	return 1;
}

SEC("cgroup_skb/ingress")
int ns_skb_ingress(struct __sk_buff *skb)
{
	return ns_skb(skb, 0);
}

SEC("cgroup_skb/egress")
int ns_skb_egress(struct __sk_buff *skb)
{
	return ns_skb(skb, 1);
}

char LICENSE[] SEC("license") = "GPL";
