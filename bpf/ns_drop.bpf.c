// SPDX-License-Identifier: GPL-2.0
/* Packets the kernel frees as dropped, from skb:kfree_skb (BTF tracepoint) with its
 * drop reason (kernel 5.17+ passes it). Frees that are not drops (SKB_CONSUMED,
 * and the catch-all NOT_SPECIFIED used by many non-drop paths) are filtered here so
 * they never cost a ring-buffer record. The 5-tuple is parsed from the packet. */
#include "ns_common.bpf.h"

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

	/* Parsed before reserving: a packet that is not IP costs no ring-buffer space. */
	struct ns_tuple t;
	__u32 l4off = 0;
	if (ns_tuple_from_ip(&t, head, nh, &l4off))
		return 0;
	struct ns_drop *r = ns_reserve(sizeof(*r));
	if (!r)
		return 0;
	r->t = t;
	__u8 proto = t.proto;
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
