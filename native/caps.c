/* Privilege check: names the capabilities the collector lacks, in one line. */
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "loader.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

int ns_missing_caps(char *buf, size_t len)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	buf[0] = 0;
	if (syscall(SYS_capget, &h, d) != 0) {
		snprintf(buf, len, "capget failed");
		return 1;
	}
	/* CAP_SYS_ADMIN implies BPF and PERFMON (kernels before 5.8 only know it). */
	int admin = has_cap(d, CAP_SYS_ADMIN);
	int n = 0;
	if (!admin && !has_cap(d, CAP_BPF))
		n += snprintf(buf + strlen(buf), len - strlen(buf), "%sCAP_BPF", n ? ", " : "");
	if (!admin && !has_cap(d, CAP_PERFMON))
		n += snprintf(buf + strlen(buf), len - strlen(buf), "%sCAP_PERFMON", n ? ", " : "");
	if (!has_cap(d, CAP_NET_ADMIN))
		n += snprintf(buf + strlen(buf), len - strlen(buf), "%sCAP_NET_ADMIN", n ? ", " : "");
	return n > 0;
}
