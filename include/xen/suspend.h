/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Save/restore and migration: the steps drivers/xen/manage.c takes, in
 * this order, around SCHEDOP_shutdown(SHUTDOWN_suspend).  All but the
 * last run on CPU 0 with interrupts off and every other CPU parked.
 */
#ifndef _XEN_SUSPEND_H
#define _XEN_SUSPEND_H

#include <linux/types.h>

/* arch/x86/xen/time.c */
void xen_time_suspend(void);
void xen_time_resume(void);
void xen_time_kick_all(void);		/* after, with every CPU running */

/* arch/x86/xen/suspend.c */
void xen_arch_pre_suspend(void);
unsigned long xen_arch_suspend_record(void);
void xen_arch_post_suspend(bool cancelled);

#endif /* _XEN_SUSPEND_H */
