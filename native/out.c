/* Records go to stdout through one large buffer flushed after each ring-buffer
 * batch: one write(2) per batch instead of one per record. A closed pipe (the
 * reader died) marks the output failed and the main loop exits cleanly. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include "../bpf/netscope.h"
#include "loader.h"

#define OUT_CAP (1 << 20)
static unsigned char out_buf[OUT_CAP];
static size_t out_len;
static int out_failed;

/* Short connections: when a connection's close arrives in the same read batch as
 * its open (i.e. it lived less than ~50 ms), the open record is dropped before it
 * is written; the close summary carries the same tuple, process and connect
 * latency. This keeps connection churn at 1 record per side instead of 2.
 * Open-addressing table: socket cookie -> offset of the open record in out_buf,
 * emptied at every flush. */
#define OPEN_SLOTS 16384
static struct { __u64 cookie; __u32 off; __u32 gen; } opens[OPEN_SLOTS];
static __u32 open_gen = 1;
static int merge_short = 1;
static unsigned long long merged_total;
static int out_holes; /* out_buf holds dropped opens: squeeze them out at flush */

void ns_out_merge_short(int on)
{
	merge_short = on;
}

unsigned long long ns_out_merged(void)
{
	return merged_total;
}

static __u32 slot_of(__u64 cookie)
{
	return (__u32)((cookie * 0x9E3779B97F4A7C15ull) >> 50) & (OPEN_SLOTS - 1);
}

static void note_open(__u64 cookie, size_t off)
{
	__u32 s = slot_of(cookie);
	for (int i = 0; i < 8; i++, s = (s + 1) & (OPEN_SLOTS - 1)) {
		if (opens[s].gen != open_gen) {
			opens[s].cookie = cookie;
			opens[s].off = (__u32)off;
			opens[s].gen = open_gen;
			return;
		}
	}
}

static void drop_open(__u64 cookie)
{
	__u32 s = slot_of(cookie);
	for (int i = 0; i < 8; i++, s = (s + 1) & (OPEN_SLOTS - 1)) {
		if (opens[s].gen != open_gen)
			return;
		if (opens[s].cookie == cookie) {
			struct ns_hdr *h = (struct ns_hdr *)(out_buf + opens[s].off);
			h->type = 0; /* skipped by ns_out_flush */
			opens[s].gen = 0;
			merged_total++;
			out_holes = 1;
			return;
		}
	}
}

/* A pipe holds 64 KiB by default: at 15k connections/s one 50 ms batch is several
 * times that, so each flush blocked on the reader again and again, waking both
 * processes per 64 KiB. A larger pipe (up to the system's pipe-max-size, 1 MiB by
 * default; unprivileged limits may refuse it, which only costs the wake-ups) lets a
 * batch go in one write. */
#define PIPE_WANT (1 << 20)

void ns_out_init(void)
{
	out_len = 0;
	out_failed = 0;
	out_holes = 0;
	if (fcntl(STDOUT_FILENO, F_GETPIPE_SZ) > 0 && fcntl(STDOUT_FILENO, F_GETPIPE_SZ) < PIPE_WANT)
		(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, PIPE_WANT);
}

int ns_out_failed(void)
{
	return out_failed;
}

int ns_out_flush(void)
{
	if (out_holes) {
		/* squeeze out dropped records (type 0) */
		size_t w = 0;
		for (size_t r = 0; r < out_len;) {
			struct ns_hdr *h = (struct ns_hdr *)(out_buf + r);
			size_t sz = h->size;
			if (h->type != 0) {
				if (w != r)
					memmove(out_buf + w, out_buf + r, sz);
				w += sz;
			}
			r += sz;
		}
		out_len = w;
		out_holes = 0;
	}
	open_gen++;
	size_t off = 0;
	while (off < out_len && !out_failed) {
		ssize_t n = write(STDOUT_FILENO, out_buf + off, out_len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			out_failed = 1;
			break;
		}
		off += (size_t)n;
	}
	out_len = 0;
	return out_failed ? -1 : 0;
}

int ns_out_write(const void *rec, size_t size)
{
	if (out_failed)
		return -1;
	if (out_len + size > OUT_CAP && ns_out_flush())
		return -1;
	memcpy(out_buf + out_len, rec, size);
	if (merge_short && size == sizeof(struct ns_conn)) {
		const struct ns_conn *c = rec;
		if (c->hdr.type == NS_REC_CONN_OPEN)
			note_open(c->cookie, out_len);
		else if (c->hdr.type == NS_REC_CONN_CLOSE)
			drop_open(c->cookie);
	}
	out_len += size;
	return 0;
}

void ns_out_text(uint32_t type, const char *text)
{
	unsigned char rec[16 + 512];
	size_t n = strnlen(text, 511);
	size_t size = (16 + n + 1 + 7) & ~(size_t)7;
	struct ns_hdr *h = (struct ns_hdr *)rec;
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	memset(rec, 0, sizeof(rec));
	h->type = type;
	h->size = (uint32_t)size;
	h->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	memcpy(rec + 16, text, n);
	ns_out_write(rec, size);
}

/* The TypeScript decoder (src/bpf-bridge/records.ts) reads these fixed offsets. */
_Static_assert(sizeof(struct ns_hdr) == 16, "ns_hdr layout changed: update records.ts");
_Static_assert(sizeof(struct ns_tuple) == 40, "ns_tuple layout changed: update records.ts");
_Static_assert(sizeof(struct ns_conn) == 152, "ns_conn layout changed: update records.ts");
_Static_assert(sizeof(struct ns_drop) == 80, "ns_drop layout changed: update records.ts");
_Static_assert(sizeof(struct ns_l7) == 240, "ns_l7 layout changed: update records.ts");
_Static_assert(sizeof(struct ns_dns) == 208, "ns_dns layout changed: update records.ts");
