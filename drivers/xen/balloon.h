/* SPDX-License-Identifier: GPL-2.0 */
/* Between balloon.c and its unit tests. */
#ifndef _DRIVERS_XEN_BALLOON_H
#define _DRIVERS_XEN_BALLOON_H

#if IS_ENABLED(CONFIG_KUNIT)
int balloon_parse_target(const char *target, const char *static_max,
			 unsigned long *pages);
#endif

#endif /* _DRIVERS_XEN_BALLOON_H */
