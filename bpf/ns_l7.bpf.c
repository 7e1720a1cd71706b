// SPDX-License-Identifier: GPL-2.0
/* Request/response latency and payload snapshots at the socket layer. Per TCP socket:
 * the direction of the first payload is the request direction; a request starts with
 * the first payload in that direction after a response, and the first payload the
 * other way ends it. One record per request/response pair carries the latency and the
 * first bytes of both (HTTP/1.x is parsed from them in user space). UDP port 53
 * datagrams are copied for DNS parsing. Two ways to see each direction, chosen by the
 * loader: cgroup_skb programs on the root cgroup (every packet of every socket, with
 * the IP header first; any kernel with cgroup v2), or tracepoints that run once per
 * arrival (sk_data_ready) and once per send (tcp_sendmsg_locked, sock_send_length),
 * with the bytes read from the syscall's own buffers. */
#include "ns_common.bpf.h"

/* Set by the loader (.bss): hold a connection's first non-HTTP request/response
 * pair for its close summary (see ns_sock_state). NS_FOLD_SCAN: when ns_open_scan
 * runs, as that is what reports pairs held by long connections. NS_FOLD_RECORD:
 * without the scan, for sockets whose state is in a slot, which the loader reads
 * (memory-mapped) to write pairs held by long connections; the pair is still shown
 * as an L7 flow of its own (NS_F_L7_OWN): only a record is saved. */
#define NS_FOLD_SCAN 1
#define NS_FOLD_RECORD 2
volatile __u32 ns_fold_l7;

/* Whether a socket's state is in its slot of ns_slots (else socket-local storage). */
static __always_inline int ns_in_slot(__u64 cookie)
{
	struct ns_slot *s = ns_slot_of(cookie);
	return s && s->cookie == cookie;
}

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
		struct ns_iph4 *ip = (void *)data;
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
	__u64 n = ns_copy_len(avail, max);
	if (n == 0 || bpf_skb_load_bytes(skb, off, dst, n))
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

/* After a pair completed: hold a known connection's first non-HTTP pair for its close
 * summary (returns 1), else write out a pair still held, so pairs stay in order. */
static __always_inline int ns_fold(struct ns_sock_state *st, __u64 cookie, __u64 now)
{
	__u32 mode = ns_fold_l7;
	if (mode && (st->flags & NS_F_KNOWN) && st->t.family && st->fold == NS_FOLD_NONE && !ns_maybe_http(st) &&
	    (mode == NS_FOLD_SCAN || ns_in_slot(cookie))) {
		st->fold = NS_FOLD_HELD;
		st->fold_own = mode == NS_FOLD_RECORD;
		st->fold_req_egress = st->req_dir == 1;
		st->fold_req_ns = st->req_ns;
		st->fold_resp_ns = now;
		return 1;
	}
	if (st->fold == NS_FOLD_HELD)
		ns_emit_held_l7(st, cookie);
	st->fold = NS_FOLD_DONE;
	return 0;
}

/* What a payload that ns_l7_step said act for, seen at now, does to the socket: a
 * request start writes a response nobody read first and stamps the request (the caller
 * snapshots it into st->req); a completed pair is held for the close summary (NULL) or
 * returned reserved (the caller snapshots the response and submits it). t: the
 * socket view. */
static __always_inline struct ns_l7 *ns_l7_payload(struct ns_sock_state *st, __u64 cookie, const struct ns_tuple *t,
						   int act, __u64 now)
{
	if (act == NS_L7_REQ) {
		ns_flush_pending(st, cookie, t);
		st->req_ns = now;
		return 0;
	}
	st->pending = 0; /* a request never read by a syscall whose buffer we know */
	if (ns_fold(st, cookie, now))
		return 0;
	return ns_l7_pair(st, cookie, t, now);
}

/* Socket view of a packet's tuple: local side first. */
static __always_inline void ns_sock_view(struct ns_tuple *dst, const struct ns_tuple *t, int egress)
{
	if (egress) {
		*dst = *t;
		return;
	}
	__builtin_memcpy(dst->saddr, t->daddr, 16);
	__builtin_memcpy(dst->daddr, t->saddr, 16);
	dst->sport = t->dport;
	dst->dport = t->sport;
	dst->family = t->family;
	dst->proto = t->proto;
	dst->pad = 0;
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
	int act = ns_l7_step(st, egress ? 1 : 2);
	if (act == NS_L7_NONE)
		return 1;
	__u64 now = bpf_ktime_get_boot_ns();
	struct ns_tuple sv;
	ns_sock_view(&sv, &t, egress);
	struct ns_l7 *r = ns_l7_payload(st, cookie, &sv, act, now);
	if (act == NS_L7_REQ) {
		st->req_len = ns_snap(skb, off, avail, st->req, NS_L7_SNAP);
	} else if (r) {
		r->resp_len = ns_snap(skb, off, avail, r->resp, 32);
		ns_submit(r);
	}
	return 1;
}

/* Ingress on kernels before sk_data_ready's tracepoint (Linux 6.4), or with the
 * loader's --l7-ingress packets: every received packet runs this. */
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

/* Ingress without a per-packet hook (the loader's default where the kernel has these
 * tracepoints): sk_data_ready runs once per arrival of data on a socket, not for each
 * packet (handshake, ACKs and FINs never reach it), which was 10 of the 20 program
 * runs per connection of the packet programs. It sees that data arrived, not the
 * bytes (TCP payload sits in page fragments): the bytes a snapshot needs are read
 * from the reading syscall's buffer at its sock_recv_length. UDP datagrams are
 * linear, so DNS is read from the queued packet itself. */

#define NS_TCP_LISTEN 10
#define NS_MSG_PEEK 2

static __always_inline void ns_rx_tcp(struct sock *sk)
{
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ns_sock_state *st = ns_state_of(sk, cookie, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return;
	int act = ns_l7_step(st, 2);
	if (act == NS_L7_NONE)
		return;
	__u64 now = bpf_ktime_get_boot_ns();
	if (act == NS_L7_REQ) {
		st->req_ns = now;
		st->pending = NS_PEND_REQ;
		return;
	}
	st->pending = 0;
	if (ns_fold(st, cookie, now))
		return;
	if (ns_maybe_http(st)) {
		/* the status line comes with the reader's recv */
		st->pending = NS_PEND_RESP;
		st->resp_ns = now;
		return;
	}
	struct ns_tuple t;
	ns_sock_tuple(&t, st, sk);
	struct ns_l7 *r = ns_l7_pair(st, cookie, &t, now);
	if (r)
		ns_submit(r);
}

/* One DNS datagram just queued on a UDP socket: the queue's tail. Another CPU may
 * have queued or read one meanwhile; then this one is not seen (UDP, best effort). */
static __always_inline void ns_rx_udp(struct sock *sk)
{
	struct sk_buff *skb = sk->sk_receive_queue.prev;
	if (!skb || (void *)skb == (void *)&sk->sk_receive_queue)
		return;
	unsigned char *head = skb->head;
	__u32 nh = skb->network_header;
	__u32 th = skb->transport_header;
	__u32 tail = skb->tail; /* an offset from head on 64-bit kernels */
	__u16 udp[4];
	if (bpf_probe_read_kernel(udp, sizeof(udp), head + th))
		return;
	if (udp[0] != bpf_htons(53) && udp[1] != bpf_htons(53))
		return;
	struct ns_tuple t;
	__u32 l4off;
	if (ns_tuple_from_ip(&t, head, nh, &l4off))
		return;
	t.sport = udp[0];
	t.dport = udp[1];
	__u32 data = th + 8;
	__u32 ulen = bpf_ntohs(udp[2]);
	__u64 n = ulen > 8 ? ulen - 8 : 0;
	if (tail > data && n > tail - data)
		n = tail - data; /* the linear part only */
	else if (tail <= data)
		n = 0;
	if (n < 12)
		return;
	struct ns_dns *r = ns_reserve(sizeof(*r));
	if (!r)
		return;
	ns_hdr_init(&r->hdr, NS_REC_DNS, sizeof(*r));
	r->t = t;
	r->cookie = bpf_get_socket_cookie(sk);
	r->egress = 0;
	r->pid = 0;
	r->pad = 0;
	__builtin_memset(r->data, 0, sizeof(r->data));
	__u64 len = ns_copy_len(n, sizeof(r->data));
	if (len && bpf_probe_read_kernel(r->data, len, head + data))
		len = 0;
	r->len = len;
	ns_submit(r);
}

#define NS_RCV_SHUTDOWN 1

/* A FIN wakes the reader too (tcp_data_queue calls tcp_data_ready for it): when all
 * that is unread is the FIN itself, no payload arrived, and a peer hanging up on a
 * request must not pass for its response. A FIN arriving with data, or behind data
 * not yet read, counts as that data's arrival. */
static __always_inline int ns_rx_fin_only(struct sock *sk)
{
	if (!(sk->sk_shutdown & NS_RCV_SHUTDOWN))
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	return tp && tp->rcv_nxt - tp->copied_seq <= 1;
}

SEC("tp_btf/sk_data_ready")
int BPF_PROG(ns_rx_ready, struct sock *sk)
{
	__u16 fam = sk->__sk_common.skc_family;
	if (fam != NS_AF_INET && fam != NS_AF_INET6)
		return 0;
	if (sk->sk_protocol == NS_IPPROTO_TCP) {
		/* a listener: a connection to accept */
		if (sk->__sk_common.skc_state != NS_TCP_LISTEN && !ns_rx_fin_only(sk))
			ns_rx_tcp(sk);
	} else if (sk->sk_protocol == NS_IPPROTO_UDP) {
		ns_rx_udp(sk);
	}
	return 0;
}

/* The current syscall's user memory, from its registers (x86-64 syscall numbers:
 * bpf/vmlinux.h, and so the objects, are built for x86-64). read/write, recvfrom/
 * sendto take the buffer as their second argument; readv/writev and recvmsg/sendmsg
 * an iovec (first buffer only); sendmmsg an array of messages, of which the one being
 * sent is the first whose msg_len the kernel has not yet set (libc and libuv zero
 * them). Anything else (io_uring, splice): nothing, and the payload goes unseen. */
struct ns_user_io {
	__u64 buf;  /* first buffer, 0: unknown */
	__u64 len;  /* its length, at most the syscall's result */
	__u64 name; /* sendto/sendmsg destination (struct sockaddr *), 0: none */
};

#define NS_MMSG_SCAN 4 /* sendmmsg entries looked at */

static __always_inline int ns_user_io(struct ns_user_io *io, __u64 ret)
{
	io->buf = 0;
	io->len = ret;
	io->name = 0;
#if defined(__TARGET_ARCH_x86)
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return -1;
	long nr = regs->orig_ax;
	__u64 arg = regs->si;
	if (nr == 0 /* read */ || nr == 1 /* write */ || nr == 45 /* recvfrom */ || nr == 44 /* sendto */) {
		io->buf = arg;
		if (nr == 44)
			io->name = regs->r8;
		return 0;
	}
	if (nr == 307 /* sendmmsg */) {
		/* struct mmsghdr: a 56-byte msghdr, then msg_len (+pad) */
		__u64 vlen = regs->dx;
		__u32 i;
		for (i = 0; i < NS_MMSG_SCAN - 1 && i + 1 < vlen; i++) {
			__u32 sent = 0;
			if (bpf_probe_read_user(&sent, sizeof(sent), (void *)(arg + i * 64 + 56)) || sent == 0)
				break;
		}
		arg += i * 64;
		nr = 46;
	}
	if (nr != 19 /* readv */ && nr != 20 /* writev */ && nr != 47 /* recvmsg */ && nr != 46 /* sendmsg */)
		return -1;
	__u64 iovp = arg;
	if (nr == 47 || nr == 46) {
		/* struct user_msghdr: msg_name, msg_namelen (+pad), msg_iov */
		__u64 m[3];
		if (bpf_probe_read_user(m, sizeof(m), (void *)arg))
			return -1;
		io->name = nr == 46 ? m[0] : 0;
		iovp = m[2];
	}
	__u64 iov[2];
	if (bpf_probe_read_user(iov, sizeof(iov), (void *)iovp))
		return -1;
	io->buf = iov[0];
	if (iov[1] < io->len)
		io->len = iov[1];
	return 0;
#else
	return -1;
#endif
}

/* The first bytes (max of them, a constant <= 128) of the buffer ns_user_io found. */
static __always_inline __u16 ns_snap_user(__u8 *dst, __u32 max, const struct ns_user_io *io)
{
	if (!io->buf)
		return 0;
	__u64 n = ns_copy_len(io->len, max);
	if (n == 0 || bpf_probe_read_user(dst, n, (void *)io->buf))
		return 0;
	return n;
}

/* The first bytes the current syscall received. */
static __always_inline __u16 ns_snap_recv(__u8 *dst, __u32 max, int ret)
{
	struct ns_user_io io;
	if (ns_user_io(&io, ret))
		return 0;
	return ns_snap_user(dst, max, &io);
}

/* The process side of a socket (as ns_proc.bpf.c's recv program, which the loader
 * leaves out when this runs), and the bytes sk_data_ready left to the reader. */
SEC("tp_btf/sock_recv_length")
int BPF_PROG(ns_recv_l7, struct sock *sk, int ret, int flags)
{
	if (!sk || sk->sk_protocol != NS_IPPROTO_TCP)
		return 0;
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ns_sock_state *st = ns_state_of(sk, cookie, 0);
	if (!st)
		return 0;
	ns_learn_owner(st);
	if (!st->pending || ret <= 0 || (flags & NS_MSG_PEEK))
		return 0;
	if (st->pending == NS_PEND_REQ) {
		st->pending = 0;
		st->req_len = ns_snap_recv(st->req, NS_L7_SNAP, ret);
		return 0;
	}
	st->pending = 0;
	struct ns_tuple t;
	ns_sock_tuple(&t, st, sk);
	struct ns_l7 *r = ns_l7_pair(st, cookie, &t, st->resp_ns);
	if (!r)
		return 0;
	r->resp_len = ns_snap_recv(r->resp, 32, ret);
	ns_submit(r);
	return 0;
}

/* Sent data without a per-packet program (the loader's default where the kernel has
 * tcp:tcp_sendmsg_locked, and with the tracepoint ingress above): tcp_sendmsg_locked
 * runs in the sender's syscall before anything is queued, once per chunk it copies,
 * with the bytes still in the sender's iov_iter; ten egress packet runs per short
 * connection become two. UDP DNS is taken at sock_send_length, after the datagram
 * has gone, from the syscall's own buffer (ns_user_io). */

/* The first bytes left in a send's iov_iter: user memory (one buffer or an iovec's
 * first) or a kernel caller's kvec; pages (sendfile, splice): none. */
static __always_inline __u16 ns_snap_iter(__u8 *dst, __u32 max, const struct msghdr *msg)
{
	const struct iov_iter *it = &msg->msg_iter;
	__u8 type = it->iter_type;
	__u64 off = it->iov_offset;
	__u64 len = it->count;
	__u64 base;
	int user = 1;
	if (type == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		base = (__u64)it->ubuf + off;
	} else if (type == bpf_core_enum_value(enum iter_type, ITER_IOVEC) ||
		   type == bpf_core_enum_value(enum iter_type, ITER_KVEC)) {
		const struct iovec *iov = it->__iov; /* a kvec has the same layout */
		__u64 seg = iov->iov_len;
		base = (__u64)iov->iov_base + off;
		if (seg < off)
			return 0;
		if (seg - off < len)
			len = seg - off;
		user = type != bpf_core_enum_value(enum iter_type, ITER_KVEC);
	} else {
		return 0;
	}
	__u64 n = ns_copy_len(len, max);
	if (n == 0)
		return 0;
	long err = user ? bpf_probe_read_user(dst, n, (void *)base) : bpf_probe_read_kernel(dst, n, (void *)base);
	return err ? 0 : n;
}

SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(ns_tx_tcp, struct sock *sk, struct msghdr *msg)
{
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ns_sock_state *st = ns_state_of(sk, cookie, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	ns_learn_owner(st); /* the sender's syscall: the socket's process */
	int act = ns_l7_step(st, 1);
	if (act == NS_L7_NONE)
		return 0;
	struct ns_tuple t;
	ns_sock_tuple(&t, st, sk);
	struct ns_l7 *r = ns_l7_payload(st, cookie, &t, act, bpf_ktime_get_boot_ns());
	if (act == NS_L7_REQ) {
		st->req_len = ns_snap_iter(st->req, NS_L7_SNAP, msg);
	} else if (r) {
		r->resp_len = ns_snap_iter(r->resp, 32, msg);
		ns_submit(r);
	}
	return 0;
}

/* A DNS datagram a UDP socket just sent, as a packet view (saddr: this socket). A
 * connected socket knows both ends; otherwise the destination is the syscall's
 * sockaddr, and a socket bound to no address has none of its own yet (the route
 * picks it per datagram): saddr stays zero, and user space takes it from the answer
 * (to-flow.ts). */
SEC("tp_btf/sock_send_length")
int BPF_PROG(ns_tx_udp, struct sock *sk, int ret)
{
	if (ret < 12 || !sk || sk->sk_protocol != NS_IPPROTO_UDP)
		return 0;
	__u16 fam = sk->__sk_common.skc_family;
	if (fam != NS_AF_INET && fam != NS_AF_INET6)
		return 0;
	struct ns_user_io io;
	if (ns_user_io(&io, ret))
		return 0;
	struct ns_tuple t;
	ns_tuple_from_sk(&t, sk);
	t.proto = NS_IPPROTO_UDP;
	if (io.name) {
		/* sockaddr_in: family, port, addr; sockaddr_in6: family, port, flowinfo, addr */
		__u8 sa[24];
		if (bpf_probe_read_user(sa, 8, (void *)io.name))
			return 0;
		__u16 safam = sa[0] | sa[1] << 8;
		if (safam == NS_AF_INET) {
			__builtin_memset(t.daddr, 0, 16);
			__builtin_memcpy(t.daddr, sa + 4, 4);
			if (t.family == 6) { /* a v4 destination from a v6 socket: its mapped local part */
				__builtin_memcpy(t.saddr, t.saddr + 12, 4);
				__builtin_memset(t.saddr + 4, 0, 12);
				t.family = 4;
			}
		} else if (safam == NS_AF_INET6) {
			if (bpf_probe_read_user(sa, 24, (void *)io.name))
				return 0;
			__builtin_memcpy(t.daddr, sa + 8, 16);
		} else {
			return 0;
		}
		__builtin_memcpy(&t.dport, sa + 2, 2);
	}
	if (t.sport != bpf_htons(53) && t.dport != bpf_htons(53))
		return 0;
	struct ns_dns *r = ns_reserve(sizeof(*r));
	if (!r)
		return 0;
	ns_hdr_init(&r->hdr, NS_REC_DNS, sizeof(*r));
	r->t = t;
	r->cookie = bpf_get_socket_cookie(sk);
	r->egress = 1;
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->pad = 0;
	__builtin_memset(r->data, 0, sizeof(r->data));
	r->len = ns_snap_user(r->data, sizeof(r->data), &io);
	ns_submit(r);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
