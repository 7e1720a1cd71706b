// SPDX-License-Identifier: GPL-2.0
/* Learns which process owns an accepted TCP socket: sock:sock_send_length and
 * sock:sock_recv_length run in the syscall of the reading/writing task (never in
 * softirq), so the current task is the socket's user. Only the first call per
 * socket writes anything. Kernels before 6.3 lack these tracepoints: the loader
 * then reports server-side flows without a process. */
#include "ns_common.bpf.h"

static __always_inline void ns_learn_owner(struct sock *sk)
{
	if (!sk || sk->sk_protocol != NS_IPPROTO_TCP)
		return;
	struct ns_sock_state *st = ns_state_of(sk, bpf_get_socket_cookie(sk), 0);
	if (!st || !(st->flags & NS_F_KNOWN) || st->pid)
		return;
	st->pid = bpf_get_current_pid_tgid() >> 32;
	ns_current_comm(st->comm);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(ns_send_len, struct sock *sk)
{
	ns_learn_owner(sk);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ns_recv_len, struct sock *sk)
{
	ns_learn_owner(sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
