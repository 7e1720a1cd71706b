/* Records go to stdout through one large buffer flushed after each ring-buffer
 * batch: one write(2) per batch instead of one per record. A closed pipe (the
 * reader died) marks the output failed and the main loop exits cleanly. */
#include <errno.h>
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

void ns_out_init(void)
{
	out_len = 0;
	out_failed = 0;
}

int ns_out_failed(void)
{
	return out_failed;
}

int ns_out_flush(void)
{
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
_Static_assert(sizeof(struct ns_conn) == 136, "ns_conn layout changed: update records.ts");
_Static_assert(sizeof(struct ns_drop) == 80, "ns_drop layout changed: update records.ts");
_Static_assert(sizeof(struct ns_l7) == 240, "ns_l7 layout changed: update records.ts");
_Static_assert(sizeof(struct ns_dns) == 208, "ns_dns layout changed: update records.ts");
