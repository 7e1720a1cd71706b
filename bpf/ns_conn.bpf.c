// SPDX-License-Identifier: GPL-2.0
/* TCP connection lifecycle from sock:inet_sock_set_state (BTF tracepoint): a
 * summary when the socket closes, with the kernel's own counters from tcp_sock,
 * and an open record for connections still open NS_HOLD_NS after they were
 * established. Those are written by iterators over the sockets' state
 * (ns_open_scan_slots, ns_open_scan) that the loader runs every 200 ms: short connections (most
 * of the churn on a busy node) then cost one record per side instead of two, and
 * the handshake path does no ring-buffer work at all. With NS_OPENS_ALL (the
 * loader's --all-opens) opens are written at ESTABLISHED; without iterator support
 * (NS_OPENS_LOADER) the loader writes them from the slots at the end of its read
 * batch, and only sockets outside the slot table get theirs written here. */
#include "ns_common.bpf.h"

#define NS_TCP_ESTABLISHED 1
#define NS_TCP_SYN_SENT 2
#define NS_TCP_SYN_RECV 3
#define NS_TCP_CLOSE 7
#define NS_TCP_LISTEN 10

/* Set by the loader after load (.bss is memory-mapped): NS_OPENS_*. */
volatile __u32 ns_all_opens;

/* NS_OPENS_LOADER: one bit per slot of ns_slots, set when the slot's connection is
 * established; the loader (memory-mapped) takes the bits at the end of each read
 * batch and writes the open record of each connection still in its slot, so the
 * handshake path does no ring-buffer work and a connection that closes within the
 * batch costs no open record at all (the loader used to drop it after reading it). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 128); /* ns_slots' size / 64: set by the loader */
	__type(key, __u32);
	__type(value, __u64);
} ns_estab_bits SEC(".maps");

/* Marks an established connection whose state is in its slot for the loader; 0 if
 * its state is elsewhere (its open is then written here). */
static __always_inline int ns_estab_mark(const struct sock *sk, __u64 cookie, struct ns_sock_state *st)
{
	__u32 zero = 0;
	__u32 *mask = bpf_map_lookup_elem(&ns_slot_mask, &zero);
	__u32 i = mask ? (__u32)cookie & *mask : 0;
	struct ns_slot *s = bpf_map_lookup_elem(&ns_slots, &i);
	if (!s || s->cookie != cookie)
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)sk);
	st->open_srtt_us = tp ? tp->srtt_us >> 3 : 0;
	__u32 w = i >> 6;
	__u64 *word = bpf_map_lookup_elem(&ns_estab_bits, &w);
	if (!word)
		return 0;
	__sync_fetch_and_or(word, 1ULL << (i & 63));
	return 1;
}

/* A conn record, reserved and filled but not submitted. sk may be NULL (the slot
 * scan has no socket reference): counters are then 0 and the tuple is st's. */
static __always_inline struct ns_conn *ns_fill_conn(const struct sock *sk, __u64 cookie, __u32 type,
						    struct ns_sock_state *st, __u64 ts)
{
	struct ns_conn *r = ns_reserve(sizeof(*r));
	if (!r)
		return 0;
	r->hdr.type = type;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = ts;
	if ((type == NS_REC_CONN_OPEN || !sk) && st)
		r->t = st->t; /* captured at ESTABLISHED */
	else if (sk)
		ns_tuple_from_sk(&r->t, sk);
	else
		__builtin_memset(&r->t, 0, sizeof(r->t));
	if (st && st->t.family && (r->t.sport == 0 || r->t.dport == 0))
		r->t = st->t;
	r->cookie = cookie;
	struct tcp_sock *tp = sk ? bpf_skc_to_tcp_sock((void *)sk) : 0;
	if (tp) {
		/* Payload bytes only: bytes_sent counts data octets incl. retransmissions;
		 * bytes_received advances with rcv_nxt, which a received FIN also moves. */
		__u64 sent = tp->bytes_sent;
		__u64 retrans = tp->bytes_retrans;
		__u64 rcvd = tp->bytes_received;
		unsigned long skflags = sk->__sk_common.skc_flags;
		if (rcvd && (skflags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE))))
			rcvd -= 1;
		r->bytes_sent = sent > retrans ? sent - retrans : 0;
		r->bytes_received = rcvd;
		r->segs_out = tp->segs_out;
		r->segs_in = tp->segs_in;
		r->srtt_us = tp->srtt_us >> 3;
		r->retrans = tp->total_retrans;
	} else {
		r->bytes_sent = 0;
		r->bytes_received = 0;
		r->segs_out = 0;
		r->segs_in = 0;
		r->srtt_us = 0;
		r->retrans = 0;
	}
	if (st) {
		r->start_ns = st->start_ns;
		r->estab_ns = st->estab_ns;
		r->pid = st->pid;
		r->flags = st->flags & ~NS_F_OPEN_SENT;
		__builtin_memcpy(r->comm, st->comm, NS_COMM_LEN);
		if (type == NS_REC_CONN_CLOSE && st->fold == NS_FOLD_HELD) {
			st->fold = NS_FOLD_DONE;
			r->flags |= NS_F_L7_FOLDED | (st->fold_req_egress ? NS_F_L7_REQ_EGRESS : 0) |
				    (st->fold_own ? NS_F_L7_OWN : 0);
			r->l7_req_ns = st->fold_req_ns;
			r->l7_resp_ns = st->fold_resp_ns;
		} else {
			r->l7_req_ns = 0;
			r->l7_resp_ns = 0;
		}
	} else {
		r->start_ns = 0;
		r->estab_ns = 0;
		r->pid = 0;
		r->flags = 0;
		__builtin_memset(r->comm, 0, NS_COMM_LEN);
		r->l7_req_ns = 0;
		r->l7_resp_ns = 0;
	}
	return r;
}

static __always_inline void ns_emit_conn(const struct sock *sk, __u64 cookie, __u32 type,
					 struct ns_sock_state *st, __u64 ts)
{
	struct ns_conn *r = ns_fill_conn(sk, cookie, type, st, ts);
	if (r)
		ns_submit(r);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ns_set_state, struct sock *sk, int oldstate, int newstate)
{
	/* Intermediate states (FIN_WAIT*, CLOSE_WAIT, LAST_ACK...) carry nothing we
	 * report: leave before any helper call. */
	if (newstate != NS_TCP_SYN_SENT && newstate != NS_TCP_SYN_RECV &&
	    newstate != NS_TCP_ESTABLISHED && newstate != NS_TCP_CLOSE)
		return 0;
	if (sk->sk_protocol != NS_IPPROTO_TCP)
		return 0;
	__u64 now = bpf_ktime_get_boot_ns();

	__u64 cookie = bpf_get_socket_cookie(sk);

	if (newstate == NS_TCP_SYN_SENT || newstate == NS_TCP_SYN_RECV) {
		struct ns_sock_state *st = ns_state_new(sk, cookie);
		if (!st)
			return 0;
		st->start_ns = now;
		if (newstate == NS_TCP_SYN_SENT) {
			/* connect(): process context, so the current task owns the socket. */
			st->flags = NS_F_ACTIVE;
			st->pid = bpf_get_current_pid_tgid() >> 32;
			ns_current_comm(st->comm);
		} else {
			/* Child socket of a listener, created in softirq: the owner is learnt
			 * later from its first send/recv (ns_proc.bpf.c). */
			st->flags = NS_F_PASSIVE;
		}
		return 0;
	}
	struct ns_sock_state *any = ns_state_of(sk, cookie, 0);
	/* state made by the L7 programs only: not a connection seen opening */
	struct ns_sock_state *st = any && (any->flags & NS_F_KNOWN) ? any : 0;
	if (newstate == NS_TCP_ESTABLISHED) {
		if (!st)
			return 0;
		st->estab_ns = now;
		st->flags |= NS_F_ESTAB;
		ns_tuple_from_sk(&st->t, sk);
		__u32 opens = ns_all_opens;
		if (opens == NS_OPENS_ALL || (opens == NS_OPENS_LOADER && !ns_estab_mark(sk, cookie, st))) {
			st->flags |= NS_F_OPEN_SENT;
			ns_emit_conn(sk, cookie, NS_REC_CONN_OPEN, st, now);
		}
		return 0;
	}
	if (newstate == NS_TCP_CLOSE) {
		if (oldstate == NS_TCP_LISTEN)
			return 0;
		if (any && any->pending == NS_PEND_RESP) {
			struct ns_tuple t;
			ns_sock_tuple(&t, any, sk);
			ns_flush_pending(any, cookie, &t);
		}
		ns_emit_conn(sk, cookie, NS_REC_CONN_CLOSE, st, now);
		ns_state_done(st, cookie);
	}
	return 0;
}

static __always_inline void ns_mark(struct sock *sk, __u32 flag)
{
	if (!sk)
		return;
	struct ns_sock_state *st = ns_state_of(sk, bpf_get_socket_cookie(sk), 0);
	if (st && (st->flags & NS_F_KNOWN)) {
		st->flags |= flag;
		ns_tuple_from_sk(&st->t, sk);
	}
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(ns_rx_reset, struct sock *sk)
{
	ns_mark(sk, NS_F_RST_RX);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(ns_tx_reset, struct sock *sk)
{
	ns_mark(sk, NS_F_RST_TX);
	return 0;
}

/* Writes what ns_scan_due found due for one socket's state: the open record,
 * stamped with the establishment time, and the held request/response pair.
 * srtt_us: the socket's, for an open record written without sk. */
static __always_inline void ns_scan_state(const struct sock *sk, __u64 cookie, struct ns_sock_state *st,
					  int due, __u32 srtt_us)
{
	if (due & NS_DUE_OPEN) {
		st->flags |= NS_F_OPEN_SENT;
		struct ns_conn *r = ns_fill_conn(sk, cookie, NS_REC_CONN_OPEN, st, st->estab_ns);
		if (r) {
			if (!sk)
				r->srtt_us = srtt_us;
			ns_submit(r);
		}
	}
	if (due & NS_DUE_PAIR)
		ns_emit_held_l7(st, cookie);
}

/* The open scan, run by the loader (read of an iterator fd) every 200 ms, over
 * both places state is kept: the slots, then socket-local storage. */
SEC("iter/bpf_map_elem")
int ns_open_scan_slots(struct bpf_iter__bpf_map_elem *ctx)
{
	struct ns_slot *s = ctx->value;
	if (!s || !s->cookie)
		return 0;
	int due = ns_scan_due(&s->st, bpf_ktime_get_boot_ns());
	if (!due)
		return 0;
	__u64 cookie = s->cookie;
	/* A slot keeps no reference to its socket: read the socket's RTT only if the
	 * socket at that address still has this cookie (TCP sockets are freed with
	 * SLAB_TYPESAFE_BY_RCU, so the memory stays a socket). */
	__u32 srtt = 0;
	if (due & NS_DUE_OPEN) {
		struct sock *sk = (struct sock *)s->sk;
		__u64 live = 0;
		bpf_probe_read_kernel(&live, sizeof(live), &sk->__sk_common.skc_cookie);
		if (live == cookie && bpf_probe_read_kernel(&srtt, sizeof(srtt), &((struct tcp_sock *)sk)->srtt_us) == 0)
			srtt >>= 3;
		else
			srtt = 0;
	}
	ns_scan_state(0, cookie, &s->st, due, srtt);
	return 0;
}

SEC("iter/bpf_sk_storage_map")
int ns_open_scan(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct sock *sk = ctx->sk;
	struct ns_sock_state *st = ctx->value;
	if (!sk || !st)
		return 0;
	int due = ns_scan_due(st, bpf_ktime_get_boot_ns());
	if (due)
		ns_scan_state(sk, bpf_get_socket_cookie(sk), st, due, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
