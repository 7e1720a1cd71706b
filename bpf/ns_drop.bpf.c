// SPDX-License-Identifier: GPL-2.0
/* Packets the kernel frees as dropped, from skb:kfree_skb (BTF tracepoint) with its
 * drop reason (kernel 5.17+ passes it). Frees that are not drops (SKB_CONSUMED,
 * and the catch-all NOT_SPECIFIED used by many non-drop paths) are filtered here so
 * they never cost a ring-buffer record. The 5-tuple is parsed from the packet. */
#include "ns_common.bpf.h"

struct ns_iph4 {
	__u8 vihl;
	__u8 tos;
	__u16 tot_len;
	__u16 id;
	__u16 frag;
	__u8 ttl;
	__u8 proto;
	__u16 csum;
	__u32 saddr;
	__u32 daddr;
};

struct ns_iph6 {
	__u32 vtc;
	__u16 plen;
	__u8 nexthdr;
	__u8 hop;
	__u8 saddr[16];
	__u8 daddr[16];
};

SEC("tp_btf/kfree_skb")
int BPF_PROG(ns_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED) ||
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_NOT_DROPPED_YET) ||
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
		return 0;
	/* Queues emptied when a socket is destroyed: bookkeeping, not packet loss. */
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_QUEUE_PURGE) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_QUEUE_PURGE))
		return 0;

	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	if (!head || nh == (__u16)~0U)
		return 0;
	__u8 vihl = 0;
	if (bpf_probe_read_kernel(&vihl, 1, head + nh))
		return 0;

	struct ns_drop *r = ns_reserve(sizeof(*r));
	if (!r)
		return 0;
	__builtin_memset(&r->t, 0, sizeof(r->t));
	__u32 l4off = 0;
	__u8 proto = 0;
	if ((vihl >> 4) == 4) {
		struct ns_iph4 ip = {};
		bpf_probe_read_kernel(&ip, sizeof(ip), head + nh);
		__builtin_memcpy(r->t.saddr, &ip.saddr, 4);
		__builtin_memcpy(r->t.daddr, &ip.daddr, 4);
		r->t.family = 4;
		proto = ip.proto;
		/* only the first fragment carries ports */
		if ((bpf_ntohs(ip.frag) & 0x1fff) == 0)
			l4off = nh + (ip.vihl & 0xf) * 4;
	} else if ((vihl >> 4) == 6) {
		struct ns_iph6 ip = {};
		bpf_probe_read_kernel(&ip, sizeof(ip), head + nh);
		__builtin_memcpy(r->t.saddr, ip.saddr, 16);
		__builtin_memcpy(r->t.daddr, ip.daddr, 16);
		r->t.family = 6;
		proto = ip.nexthdr;
		l4off = nh + 40;
	} else {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return 0;
	}
	r->t.proto = proto;
	r->tcp_flags = 0;
	if (l4off && (proto == NS_IPPROTO_TCP || proto == NS_IPPROTO_UDP)) {
		__u16 ports[2] = {};
		bpf_probe_read_kernel(ports, sizeof(ports), head + l4off);
		r->t.sport = ports[0];
		r->t.dport = ports[1];
		if (proto == NS_IPPROTO_TCP)
			bpf_probe_read_kernel(&r->tcp_flags, 1, head + l4off + 13);
	}
	ns_hdr_init(&r->hdr, NS_REC_DROP, sizeof(*r));
	r->reason = reason;
	r->len = BPF_CORE_READ(skb, len);
	r->ifindex = BPF_CORE_READ(skb, dev, ifindex);
	r->netns = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
	if (!r->netns)
		r->netns = BPF_CORE_READ(skb, sk, __sk_common.skc_net.net, ns.inum);
	__builtin_memset(r->pad, 0, sizeof(r->pad));
	r->pad2 = 0;
	ns_submit(r);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
