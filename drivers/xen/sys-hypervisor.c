// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/hypervisor: what Xen says about itself, for tools and scripts.
 *
 *   type                 "xen"
 *   guest_type           "PV"
 *   uuid                 this domain's UUID, as the toolstack set it
 *   version/             major, minor, extra (e.g. 4, 17, .3)
 *   compilation/         compiler, compiled_by, compile_date
 *   properties/          capabilities, changeset, virtual_start, pagesize,
 *                        features, buildid
 *   usage/               grant_refs_in_use, grant_refs_granted,
 *                        grant_refs_mapped, grant_refs_deferred,
 *                        evtchn_ports_bound
 *
 * Every value is asked of Xen (__HYPERVISOR_xen_version) when the file is
 * read, so it is right after a migration to another host too; usage/ is
 * counted by this kernel when read.
 */

#define pr_fmt(fmt) "xen:sysfs: " fmt

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include <xen/xen.h>
#include <xen/features.h>
#include <xen/interface/version.h>
#include <asm/xen/hypercall.h>

#include "xen-counters.h"

/* A file whose value is one string Xen fills in. */
static ssize_t show_string(char *buf, int cmd, size_t len)
{
	char *val = kzalloc(len + 1, GFP_KERNEL);
	int rc;

	if (!val)
		return -ENOMEM;
	rc = HYPERVISOR_xen_version(cmd, val);
	if (rc >= 0)
		rc = sysfs_emit(buf, "%s\n", val);
	kfree(val);
	return rc;
}

#define XEN_ATTR(_group, _name)						\
	static struct kobj_attribute _group##_##_name##_attr =		\
		__ATTR(_name, 0444, _group##_##_name##_show, NULL)

/* ---- The top directory ------------------------------------------------- */

static ssize_t top_type_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "xen\n");
}
XEN_ATTR(top, type);

static ssize_t top_guest_type_show(struct kobject *k, struct kobj_attribute *a,
				   char *buf)
{
	const char *type = "HVM";

	if (xen_pv_domain())
		type = "PV";
	else if (xen_pvh_domain())
		type = "PVH";
	return sysfs_emit(buf, "%s\n", type);
}
XEN_ATTR(top, guest_type);

static ssize_t top_uuid_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	xen_domain_handle_t handle;
	int rc = HYPERVISOR_xen_version(XENVER_guest_handle, handle);

	return rc < 0 ? rc : sysfs_emit(buf, "%pUb\n", handle);
}
XEN_ATTR(top, uuid);

static struct attribute *top_attrs[] = {
	&top_type_attr.attr,
	&top_guest_type_attr.attr,
	&top_uuid_attr.attr,
	NULL
};

static const struct attribute_group top_group = {
	.attrs = top_attrs,
};

/* ---- version/ ---------------------------------------------------------- */

static ssize_t version_major_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	int v = HYPERVISOR_xen_version(XENVER_version, NULL);

	return v < 0 ? v : sysfs_emit(buf, "%d\n", v >> 16);
}
XEN_ATTR(version, major);

static ssize_t version_minor_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	int v = HYPERVISOR_xen_version(XENVER_version, NULL);

	return v < 0 ? v : sysfs_emit(buf, "%d\n", v & 0xffff);
}
XEN_ATTR(version, minor);

static ssize_t version_extra_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	return show_string(buf, XENVER_extraversion, XEN_EXTRAVERSION_LEN);
}
XEN_ATTR(version, extra);

static struct attribute *version_attrs[] = {
	&version_major_attr.attr,
	&version_minor_attr.attr,
	&version_extra_attr.attr,
	NULL
};

static const struct attribute_group version_group = {
	.name = "version",
	.attrs = version_attrs,
};

/* ---- compilation/ ------------------------------------------------------ */

enum compile_field { COMPILER, COMPILED_BY, COMPILE_DATE };

static ssize_t show_compile_info(char *buf, enum compile_field field)
{
	struct xen_compile_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	const char *val;
	int rc;

	if (!info)
		return -ENOMEM;
	rc = HYPERVISOR_xen_version(XENVER_compile_info, info);
	if (rc >= 0) {
		val = field == COMPILER ? info->compiler :
		      field == COMPILED_BY ? info->compile_by :
		      info->compile_date;
		rc = sysfs_emit(buf, "%.*s\n", 64, val);
	}
	kfree(info);
	return rc;
}

static ssize_t compilation_compiler_show(struct kobject *k,
					 struct kobj_attribute *a, char *buf)
{
	return show_compile_info(buf, COMPILER);
}
XEN_ATTR(compilation, compiler);

static ssize_t compilation_compiled_by_show(struct kobject *k,
					    struct kobj_attribute *a, char *buf)
{
	return show_compile_info(buf, COMPILED_BY);
}
XEN_ATTR(compilation, compiled_by);

static ssize_t compilation_compile_date_show(struct kobject *k,
					     struct kobj_attribute *a, char *buf)
{
	return show_compile_info(buf, COMPILE_DATE);
}
XEN_ATTR(compilation, compile_date);

static struct attribute *compilation_attrs[] = {
	&compilation_compiler_attr.attr,
	&compilation_compiled_by_attr.attr,
	&compilation_compile_date_attr.attr,
	NULL
};

static const struct attribute_group compilation_group = {
	.name = "compilation",
	.attrs = compilation_attrs,
};

/* ---- properties/ ------------------------------------------------------- */

static ssize_t properties_capabilities_show(struct kobject *k,
					    struct kobj_attribute *a, char *buf)
{
	return show_string(buf, XENVER_capabilities, XEN_CAPABILITIES_INFO_LEN);
}
XEN_ATTR(properties, capabilities);

static ssize_t properties_changeset_show(struct kobject *k,
					 struct kobj_attribute *a, char *buf)
{
	return show_string(buf, XENVER_changeset, XEN_CHANGESET_INFO_LEN);
}
XEN_ATTR(properties, changeset);

static ssize_t properties_virtual_start_show(struct kobject *k,
					     struct kobj_attribute *a, char *buf)
{
	struct xen_platform_parameters p;
	int rc = HYPERVISOR_xen_version(XENVER_platform_parameters, &p);

	return rc < 0 ? rc :
	       sysfs_emit(buf, "%llx\n", (unsigned long long)p.virt_start);
}
XEN_ATTR(properties, virtual_start);

static ssize_t properties_pagesize_show(struct kobject *k,
					struct kobj_attribute *a, char *buf)
{
	int rc = HYPERVISOR_xen_version(XENVER_pagesize, NULL);

	return rc < 0 ? rc : sysfs_emit(buf, "%x\n", rc);
}
XEN_ATTR(properties, pagesize);

/* The feature bitmap, highest submap first, as one hex number. */
static ssize_t properties_features_show(struct kobject *k,
					struct kobj_attribute *a, char *buf)
{
	struct xen_feature_info fi;
	ssize_t len = 0;
	int i, rc;

	for (i = XENFEAT_NR_SUBMAPS - 1; i >= 0; i--) {
		fi.submap_idx = i;
		rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
		if (rc < 0)
			return rc;
		len += sysfs_emit_at(buf, len, "%08x", fi.submap);
	}
	return len + sysfs_emit_at(buf, len, "\n");
}
XEN_ATTR(properties, features);

static ssize_t properties_buildid_show(struct kobject *k,
				       struct kobj_attribute *a, char *buf)
{
	/* Printed in hex, so at most half a page of id fits. */
	size_t room = PAGE_SIZE / 2 - 1;
	struct xen_build_id *id;
	unsigned char *raw;
	int rc, i;
	ssize_t len = 0;

	raw = kmalloc(sizeof(*id) + room, GFP_KERNEL);
	if (!raw)
		return -ENOMEM;
	id = (struct xen_build_id *)raw;
	id->len = room;
	rc = HYPERVISOR_xen_version(XENVER_build_id, id);
	if (rc < 0) {
		kfree(raw);
		return rc;
	}
	for (i = 0; i < rc && i < room; i++)
		len += sysfs_emit_at(buf, len, "%02x", id->buf[i]);
	kfree(raw);
	return len + sysfs_emit_at(buf, len, "\n");
}
XEN_ATTR(properties, buildid);

static struct attribute *properties_attrs[] = {
	&properties_capabilities_attr.attr,
	&properties_changeset_attr.attr,
	&properties_virtual_start_attr.attr,
	&properties_pagesize_attr.attr,
	&properties_features_attr.attr,
	&properties_buildid_attr.attr,
	NULL
};

static const struct attribute_group properties_group = {
	.name = "properties",
	.attrs = properties_attrs,
};

/*
 * ---- usage/ --------------------------------------------------------------
 *
 * What this domain holds of Xen's per-domain resources right now: grant
 * references it has allocated (those kept back because another domain
 * still maps their page count too) and event-channel ports open in Xen
 * (bound or merely allocated).  A test reads them before and after it lets another domain
 * misbehave: a number that does not come back is a leak.
 */

static ssize_t usage_grant_refs_in_use_show(struct kobject *k,
					    struct kobj_attribute *a,
					    char *buf)
{
	return sysfs_emit(buf, "%u\n", gnttab_refs_in_use());
}
XEN_ATTR(usage, grant_refs_in_use);

/*
 * Of the references in use: those whose entry grants access, those of
 * them another domain maps now, and those kept back until it unmaps
 * (xen-counters.h says what each tells about a leak).
 */
#define GRANT_USAGE_ATTR(field)						\
static ssize_t usage_grant_refs_##field##_show(struct kobject *k,	\
					       struct kobj_attribute *a, \
					       char *buf)		\
{									\
	struct gnttab_usage u;						\
									\
	gnttab_refs_usage(&u);						\
	return sysfs_emit(buf, "%u\n", u.field);			\
}									\
XEN_ATTR(usage, grant_refs_##field)

GRANT_USAGE_ATTR(granted);
GRANT_USAGE_ATTR(mapped);
GRANT_USAGE_ATTR(deferred);

static ssize_t usage_evtchn_ports_bound_show(struct kobject *k,
					     struct kobj_attribute *a,
					     char *buf)
{
	return sysfs_emit(buf, "%u\n", xen_evtchn_ports_bound());
}
XEN_ATTR(usage, evtchn_ports_bound);

static struct attribute *usage_attrs[] = {
	&usage_grant_refs_in_use_attr.attr,
	&usage_grant_refs_granted_attr.attr,
	&usage_grant_refs_mapped_attr.attr,
	&usage_grant_refs_deferred_attr.attr,
	&usage_evtchn_ports_bound_attr.attr,
	NULL
};

static const struct attribute_group usage_group = {
	.name = "usage",
	.attrs = usage_attrs,
};

static const struct attribute_group *hypervisor_groups[] = {
	&top_group,
	&version_group,
	&compilation_group,
	&properties_group,
	&usage_group,
	NULL
};

static int __init xen_sys_hypervisor_init(void)
{
	int rc;

	if (!xen_domain())
		return -ENODEV;
	rc = sysfs_create_groups(hypervisor_kobj, hypervisor_groups);
	if (rc)
		pr_err("cannot create /sys/hypervisor files: %d\n", rc);
	return rc;
}
device_initcall(xen_sys_hypervisor_init);
