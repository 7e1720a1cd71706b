/* TCP_CRR load for bench/bpf-crr.ts, as netperf's TCP_CRR measures it: each
 * transaction connects, sends one request, reads one response, and closes.
 *   server PORT THREADS                 accept, read a request, answer, close
 *   client HOST PORT THREADS SECONDS [RATE]
 * The client prints one JSON line: transactions, seconds, tps, p50/p95/p99 (us),
 * errors. Without RATE it runs closed-loop (as fast as it can); with RATE it paces
 * connection starts to RATE per second in total (open loop). With CRR_TIMELINE=FILE
 * it also writes every transaction to FILE as two little-endian u32s, its end (us
 * after start) and its latency (us), and adds start_ns (CLOCK_MONOTONIC) to the
 * JSON: the bench places transactions in time against when it attached and
 * detached the collector. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_LEN 64
#define RESP_LEN 128

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int listen_fd;

static void *serve(void *arg)
{
	(void)arg;
	char buf[REQ_LEN], resp[RESP_LEN];
	memset(resp, 'r', sizeof(resp));
	for (;;) {
		int c = accept(listen_fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("accept");
			exit(1);
		}
		size_t got = 0;
		while (got < REQ_LEN) {
			ssize_t n = read(c, buf + got, REQ_LEN - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (got == REQ_LEN && write(c, resp, RESP_LEN) != RESP_LEN) {
			/* peer gone: nothing to do */
		}
		close(c);
	}
	return NULL;
}

struct client_arg {
	struct sockaddr_in addr;
	uint64_t end_ns;
	double rate; /* per thread, 0 = closed loop */
	uint32_t *lat_us;
	uint32_t *end_us; /* NULL without CRR_TIMELINE */
	uint64_t start_ns;
	size_t cap, n;
	uint64_t errors;
};

static void *client(void *p)
{
	struct client_arg *a = p;
	char req[REQ_LEN], buf[RESP_LEN];
	memset(req, 'q', sizeof(req));
	uint64_t start = now_ns();
	uint64_t k = 0;
	for (;;) {
		uint64_t t0 = now_ns();
		if (t0 >= a->end_ns)
			break;
		if (a->rate > 0) {
			uint64_t due = start + (uint64_t)((double)k * 1e9 / a->rate);
			k++;
			if (due > t0) {
				struct timespec d = { .tv_sec = 0, .tv_nsec = (long)(due - t0) };
				nanosleep(&d, NULL);
				t0 = now_ns();
			}
		}
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0) {
			a->errors++;
			continue;
		}
		int ok = connect(s, (struct sockaddr *)&a->addr, sizeof(a->addr)) == 0 &&
			 write(s, req, REQ_LEN) == REQ_LEN;
		size_t got = 0;
		while (ok && got < RESP_LEN) {
			ssize_t n = read(s, buf + got, RESP_LEN - got);
			if (n <= 0) {
				ok = 0;
				break;
			}
			got += (size_t)n;
		}
		close(s);
		if (!ok) {
			a->errors++;
			continue;
		}
		uint64_t t1 = now_ns();
		uint64_t us = (t1 - t0) / 1000;
		if (a->n < a->cap) {
			if (a->end_us)
				a->end_us[a->n] = (uint32_t)((t1 - a->start_ns) / 1000);
			a->lat_us[a->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
		}
	}
	return NULL;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "server") == 0) {
		int port = atoi(argv[2]), threads = atoi(argv[3]);
		listen_fd = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
		if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(listen_fd, 4096)) {
			perror("bind/listen");
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		pthread_t t[64];
		for (int i = 0; i < threads && i < 64; i++)
			pthread_create(&t[i], NULL, serve, NULL);
		pthread_join(t[0], NULL);
		return 0;
	}
	if (argc >= 6 && strcmp(argv[1], "client") == 0) {
		int threads = atoi(argv[4]);
		double seconds = atof(argv[5]);
		double rate = argc >= 7 ? atof(argv[6]) : 0;
		if (threads < 1 || threads > 64 || seconds <= 0) {
			fprintf(stderr, "bpf-crr: bad client arguments\n");
			return 2;
		}
		const char *timeline = getenv("CRR_TIMELINE");
		struct client_arg args[64];
		pthread_t t[64];
		uint64_t start = now_ns();
		for (int i = 0; i < threads; i++) {
			memset(&args[i], 0, sizeof(args[i]));
			args[i].addr.sin_family = AF_INET;
			args[i].addr.sin_port = htons((uint16_t)atoi(argv[3]));
			inet_pton(AF_INET, argv[2], &args[i].addr.sin_addr);
			args[i].end_ns = start + (uint64_t)(seconds * 1e9);
			args[i].rate = rate / threads;
			args[i].cap = 4u << 20;
			args[i].lat_us = malloc(args[i].cap * sizeof(uint32_t));
			args[i].start_ns = start;
			args[i].end_us = timeline ? malloc(args[i].cap * sizeof(uint32_t)) : NULL;
			pthread_create(&t[i], NULL, client, &args[i]);
		}
		size_t total = 0;
		uint64_t errors = 0;
		for (int i = 0; i < threads; i++) {
			pthread_join(t[i], NULL);
			total += args[i].n;
			errors += args[i].errors;
		}
		double elapsed = (double)(now_ns() - start) / 1e9;
		if (timeline) {
			FILE *f = fopen(timeline, "wb");
			if (!f) {
				perror(timeline);
				return 1;
			}
			for (int i = 0; i < threads; i++)
				for (size_t j = 0; j < args[i].n; j++) {
					uint32_t pair[2] = { args[i].end_us[j], args[i].lat_us[j] };
					fwrite(pair, sizeof(pair), 1, f);
				}
			if (fclose(f)) {
				perror(timeline);
				return 1;
			}
		}
		uint32_t *all = malloc((total ? total : 1) * sizeof(uint32_t));
		size_t k = 0;
		for (int i = 0; i < threads; i++) {
			memcpy(all + k, args[i].lat_us, args[i].n * sizeof(uint32_t));
			k += args[i].n;
		}
		qsort(all, total, sizeof(uint32_t), cmp_u32);
#define PCT(p) (total ? all[(size_t)((double)(total - 1) * (p))] : 0)
		printf("{\"transactions\":%zu,\"seconds\":%.3f,\"tps\":%.1f,\"p50_us\":%u,\"p95_us\":%u,\"p99_us\":%u,\"errors\":%llu,\"start_ns\":%llu}\n",
		       total, elapsed, (double)total / elapsed, PCT(0.50), PCT(0.95), PCT(0.99), (unsigned long long)errors,
		       (unsigned long long)start);
		return 0;
	}
	fprintf(stderr, "usage: bpf-crr server PORT THREADS | client HOST PORT THREADS SECONDS [RATE]\n");
	return 2;
}
