/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Xen console as an early, raw output channel.
 *
 * Before the hvc driver is up (and while a crash is being reported) code
 * can still write straight to the console: through HYPERVISOR_console_io
 * in the control domain, through the console ring of shared memory in any
 * other domain.  The PVH entry path (arch/x86/platform/pvh) and
 * earlyprintk=xen use it.
 */
#ifndef _XEN_HVC_CONSOLE_H
#define _XEN_HVC_CONSOLE_H

#include <linux/compiler.h>
#include <linux/stdarg.h>

struct console;
extern struct console xenboot_console;

#ifdef CONFIG_HVC_XEN
void xen_console_resume(void);
void xen_raw_console_write(const char *str);
__printf(1, 2) void xen_raw_printk(const char *fmt, ...);
#else
static inline void xen_console_resume(void)
{
}

static inline void xen_raw_console_write(const char *str)
{
}

static inline __printf(1, 2) void xen_raw_printk(const char *fmt, ...)
{
}
#endif

/*
 * Formats and writes the way xen_early_write() does; arch/x86/xen's own
 * early messages and xen_raw_printk() both end here.
 */
__printf(1, 0) void xen_early_vprintf(const char *fmt, va_list args);

#if IS_ENABLED(CONFIG_KUNIT)
/* The ring copies of hvc_xen.c, for their unit tests. */
struct xencons_interface;
int xencons_write(struct xencons_interface *r, const char *buf, int len);
int xencons_read(struct xencons_interface *r, char *buf, int len);
#endif

#endif /* _XEN_HVC_CONSOLE_H */
