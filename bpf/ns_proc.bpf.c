// SPDX-License-Identifier: GPL-2.0
/* Learns which process owns an accepted TCP socket: sock:sock_send_length and
 * sock:sock_recv_length run in the syscall of the reading/writing task (never in
 * softirq), so the current task is the socket's user. Only the first call per
 * socket writes anything. Kernels before 6.3 lack these tracepoints: the loader
 * then reports server-side flows without a process. */
#include "ns_common.bpf.h"

SEC("tp_btf/sock_send_length")
int BPF_PROG(ns_send_len, struct sock *sk)
{
	ns_learn_owner_of(sk);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ns_recv_len, struct sock *sk)
{
	ns_learn_owner_of(sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
