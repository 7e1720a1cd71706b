#ifndef NS_LOADER_H
#define NS_LOADER_H
#include <stddef.h>
#include <stdint.h>

/* caps.c: writes the missing capability names into buf; returns nonzero if any. */
int ns_missing_caps(char *buf, size_t len);

/* out.c: buffered record output on stdout. */
void ns_out_init(void);
int ns_out_write(const void *rec, size_t size);
int ns_out_flush(void);
void ns_out_text(uint32_t type, const char *text);
int ns_out_failed(void);
void ns_out_merge_short(int on);
unsigned long long ns_out_merged(void);

/* reasons.c: one NS_META_REASON record per enum skb_drop_reason value in the
 * running kernel's BTF; returns the count, or -1 if the enum is missing. */
int ns_emit_drop_reasons(void);
#endif
