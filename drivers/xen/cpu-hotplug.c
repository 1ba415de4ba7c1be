// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU hotplug driven by the toolstack ("xl vcpu-set").
 *
 * A domain is created with maxvcpus vCPUs, all of which Linux treats as
 * possible and brings up at boot.  Which of them the administrator wants
 * running is in the store: cpu/<N>/availability is "online" or
 * "offline".  We follow it, at boot and whenever it changes, by taking
 * CPUs offline and online the way /sys/devices/system/cpu/cpuN/online
 * would, so user space sees the usual hotplug events.
 */

#define pr_fmt(fmt) "xen:cpu: " fmt

#include <linux/cpu.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/slab.h>

#include <asm/xen/hypervisor.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

/*
 * The store names vCPUs by Xen's number.  In a PV domain Linux's CPU n
 * is vCPU n; in a PVH domain the CPUs are numbered in the order ACPI
 * lists them, and each knows its vCPU (xen_vcpu_id).
 */
static int cpu_of_vcpu(unsigned int vcpu)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (per_cpu(xen_vcpu_id, cpu) == vcpu)
			return cpu;
	return -1;
}

static void follow_availability(unsigned int cpu)
{
	char dir[16];
	char *want;
	int rc = 0;

	snprintf(dir, sizeof(dir), "cpu/%u", per_cpu(xen_vcpu_id, cpu));
	want = xenbus_read(XBT_NIL, dir, "availability", NULL);
	if (IS_ERR(want))
		return;		/* not managed by the toolstack */

	if (!strcmp(want, "online")) {
		if (!cpu_online(cpu))
			rc = add_cpu(cpu);
	} else if (!strcmp(want, "offline")) {
		if (cpu_online(cpu))
			rc = remove_cpu(cpu);
	} else {
		pr_warn_ratelimited("cpu %u: unknown availability \"%.16s\"\n",
				    cpu, want);
	}
	if (rc)
		pr_warn("cannot take cpu %u %s: %d\n", cpu, want, rc);
	kfree(want);
}

static void availability_changed(struct xenbus_watch *watch, const char *path,
				 const char *token)
{
	unsigned int vcpu;
	int len = 0, cpu;

	/* cpu/<N>/availability, nothing else */
	if (sscanf(path, "cpu/%u/availability%n", &vcpu, &len) != 1 ||
	    path[len] != '\0')
		return;
	cpu = cpu_of_vcpu(vcpu);
	if (cpu < 0) {
		pr_warn_ratelimited("vCPU %u is not one of our %u CPUs\n",
				    vcpu, num_possible_cpus());
		return;
	}
	follow_availability(cpu);
}

static struct xenbus_watch cpu_watch = {
	.node = "cpu",
	.callback = availability_changed,
};

static int cpu_store_ready(struct notifier_block *nb, unsigned long ev,
			   void *data)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		follow_availability(cpu);
	if (register_xenbus_watch(&cpu_watch))
		pr_err("cannot watch cpu/: xl vcpu-set will not work\n");
	return NOTIFY_DONE;
}

static struct notifier_block cpu_store_nb = {
	.notifier_call = cpu_store_ready,
};

/* After topology_init(): CPU devices must exist to be taken offline. */
static int __init xen_cpu_hotplug_init(void)
{
	if ((!xen_pv_domain() && !xen_pvh_domain()) || xen_initial_domain())
		return 0;
	register_xenstore_notifier(&cpu_store_nb);
	return 0;
}
late_initcall(xen_cpu_hotplug_init);
