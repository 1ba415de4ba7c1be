// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the xenbus bus's own logic: state names and values, which
 * of the other end's states a driver hears about, the other end a device
 * directory names, store paths joined and split, drivers matched to
 * device types, the files a device shows in sysfs.  No store and no Xen:
 * the functions under test take strings and return answers.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xen/xenbus.h>

#include "xenbus.h"

static void state_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateUnknown), "Unknown");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateInitialising),
			   "Initialising");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateInitWait),
			   "InitWait");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateInitialised),
			   "Initialised");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateConnected),
			   "Connected");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateClosing), "Closing");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateClosed), "Closed");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateReconfiguring),
			   "Reconfiguring");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateReconfigured),
			   "Reconfigured");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateReconfigured + 1),
			   "INVALID");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate((enum xenbus_state)-1),
			   "INVALID");
}

/* A "state" node holding the string @value. */
static enum xenbus_state state_of(const char *value)
{
	return xenbus_parse_state(value, strlen(value));
}

/* What the other end writes in its "state" node, as numbers. */
static void state_values_parsed(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, state_of("1"), XenbusStateInitialising);
	KUNIT_EXPECT_EQ(test, state_of("4"), XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, state_of("6"), XenbusStateClosed);
	KUNIT_EXPECT_EQ(test, state_of("8"), XenbusStateReconfigured);
	KUNIT_EXPECT_EQ(test, state_of("0"), XenbusStateUnknown);
}

/* Anything that is not a state reads as Unknown, never as a state. */
static void state_values_refused(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, state_of("9"), XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of("100"), XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of("-1"), XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of(""), XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of("Connected"),
			XenbusStateUnknown);
	/* 2^32 + 5 and 2^64 + 4: Closing and Connected, once wrapped. */
	KUNIT_EXPECT_EQ(test, state_of("4294967301"),
			XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of("18446744073709551620"),
			XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of("5abc"), XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of("4 5"), XenbusStateUnknown);
	/* What kstrtouint() alone lets through, and a NUL inside. */
	KUNIT_EXPECT_EQ(test, state_of("+4"), XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, state_of("4\n"), XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, xenbus_parse_state("4\0005", 3),
			XenbusStateUnknown);
}

/* A new binding does not close on the last connection's Closed. */
static void otherend_old_closed_ignored(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, xenbus_otherend_news(XenbusStateInitialising,
						      XenbusStateClosed));
	/* Everything else goes to the driver. */
	KUNIT_EXPECT_TRUE(test, xenbus_otherend_news(XenbusStateConnected,
						     XenbusStateClosed));
	KUNIT_EXPECT_TRUE(test, xenbus_otherend_news(XenbusStateInitialising,
						     XenbusStateInitWait));
	KUNIT_EXPECT_TRUE(test, xenbus_otherend_news(XenbusStateInitialising,
						     XenbusStateClosing));
	KUNIT_EXPECT_TRUE(test, xenbus_otherend_news(XenbusStateClosing,
						     XenbusStateClosed));
	KUNIT_EXPECT_TRUE(test, xenbus_otherend_news(XenbusStateInitialised,
						     XenbusStateConnected));
}

static void otherend_checked(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xenbus_otherend_valid(0, "backend/vbd/3/51712"),
			0);
	KUNIT_EXPECT_EQ(test, xenbus_otherend_valid(DOMID_FIRST_RESERVED - 1,
						    "backend/vif/3/0"), 0);
	/* Not set up yet. */
	KUNIT_EXPECT_EQ(test, xenbus_otherend_valid(0, ""), -ENOENT);
	/* Ids no domain has: DOMID_SELF and the other special ones. */
	KUNIT_EXPECT_EQ(test, xenbus_otherend_valid(-1, "backend/vbd/3/1"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_otherend_valid(DOMID_FIRST_RESERVED,
						    "backend/vbd/3/1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_otherend_valid(DOMID_SELF,
						    "backend/vbd/3/1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_otherend_valid(65536, "backend/vbd/3/1"),
			-EINVAL);
}

static void device_path_split(struct kunit *test)
{
	char type[XENBUS_NAME_LEN], id[XENBUS_NAME_LEN];

	KUNIT_ASSERT_EQ(test, xenbus_device_of_path("device/vbd/51712/state",
						    type, id), 2);
	KUNIT_EXPECT_STREQ(test, type, "vbd");
	KUNIT_EXPECT_STREQ(test, id, "51712");
	KUNIT_ASSERT_EQ(test, xenbus_device_of_path("device/vif/0", type, id),
			2);
	KUNIT_EXPECT_STREQ(test, type, "vif");
	KUNIT_EXPECT_STREQ(test, id, "0");
	KUNIT_ASSERT_EQ(test, xenbus_device_of_path("device/vkbd", type, id), 1);
	KUNIT_EXPECT_STREQ(test, type, "vkbd");
}

static void device_path_refused(struct kunit *test)
{
	char type[XENBUS_NAME_LEN], id[XENBUS_NAME_LEN];
	char *long_name;

	KUNIT_EXPECT_EQ(test, xenbus_device_of_path("device", type, id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path("device/", type, id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path("devices/vbd/1", type, id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path("backend/vbd/1/2", type,
						    id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path("device//1", type, id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path("device/vbd/", type, id),
			-EINVAL);

	/* A component that would not fit the buffers, with its NUL. */
	long_name = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, long_name);
	strcpy(long_name, "device/");
	memset(long_name + 7, 't', XENBUS_NAME_LEN);
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path(long_name, type, id),
			-EINVAL);
	strcpy(long_name, "device/vbd/");
	memset(long_name + 11, '1', XENBUS_NAME_LEN);
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path(long_name, type, id),
			-EINVAL);
	/* One shorter fits. */
	long_name[11 + XENBUS_NAME_LEN - 1] = '\0';
	KUNIT_EXPECT_EQ(test, xenbus_device_of_path(long_name, type, id), 2);
	KUNIT_EXPECT_EQ(test, strlen(id), (size_t)XENBUS_NAME_LEN - 1);
}

static void driver_matched_by_type(struct kunit *test)
{
	static const struct xenbus_device_id ids[] = {
		{ "vbd" }, { "vif" }, { "" }
	};

	KUNIT_EXPECT_PTR_EQ(test, xenbus_match_id(ids, "vbd"), &ids[0]);
	KUNIT_EXPECT_PTR_EQ(test, xenbus_match_id(ids, "vif"), &ids[1]);
	KUNIT_EXPECT_NULL(test, xenbus_match_id(ids, "vb"));
	KUNIT_EXPECT_NULL(test, xenbus_match_id(ids, "vbd2"));
	KUNIT_EXPECT_NULL(test, xenbus_match_id(ids, ""));
	KUNIT_EXPECT_NULL(test, xenbus_match_id(NULL, "vbd"));
}

/*
 * The files every device has in sysfs, as user space reads them: their
 * names, one line of text each, the module alias as the bus spells it
 * ("xen" when it names no prefix of its own).
 */
static void device_files(struct kunit *test)
{
	static const struct {
		const char *name, *text;
	} files[] = {
		{ "nodename", "backend/vbd/3/51712\n" },
		{ "devtype", "vbd\n" },
		{ "modalias", "xen-backend:vbd\n" },
		{ "state", "InitWait\n" },
	};
	struct xenbus_bus *bus = kunit_kzalloc(test, sizeof(*bus), GFP_KERNEL);
	struct xenbus_device *dev = kunit_kzalloc(test, sizeof(*dev),
						  GFP_KERNEL);
	/* sysfs hands show() a page; sysfs_emit() insists on one. */
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct attribute *const *attr;
	struct device_attribute *da;
	unsigned int i, seen = 0;

	KUNIT_ASSERT_NOT_NULL(test, bus);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	bus->alias_prefix = "xen-backend";
	xenbus_init_bus(bus);
	dev->dev.bus = &bus->bus;
	dev->nodename = "backend/vbd/3/51712";
	dev->devicetype = "vbd";
	dev->state = XenbusStateInitWait;

	KUNIT_ASSERT_NOT_NULL(test, bus->bus.dev_groups);
	KUNIT_ASSERT_NOT_NULL(test, bus->bus.dev_groups[0]);
	KUNIT_EXPECT_NULL(test, bus->bus.dev_groups[1]);
	for (attr = bus->bus.dev_groups[0]->attrs; *attr; attr++) {
		da = container_of(*attr, struct device_attribute, attr);
		for (i = 0; i < ARRAY_SIZE(files); i++)
			if (!strcmp(da->attr.name, files[i].name))
				break;
		KUNIT_ASSERT_LT_MSG(test, i, ARRAY_SIZE(files),
				    "file %s", da->attr.name);
		seen |= BIT(i);
		KUNIT_EXPECT_EQ_MSG(test, da->attr.mode, 0444, "%s",
				    files[i].name);
		KUNIT_EXPECT_EQ_MSG(test, da->show(&dev->dev, da, buf),
				    (ssize_t)strlen(files[i].text), "%s",
				    files[i].name);
		KUNIT_EXPECT_STREQ_MSG(test, buf, files[i].text, "%s",
				       files[i].name);
		if (!strcmp(files[i].name, "modalias")) {
			bus->alias_prefix = NULL;
			da->show(&dev->dev, da, buf);
			KUNIT_EXPECT_STREQ(test, buf, "xen:vbd\n");
			bus->alias_prefix = "xen-backend";
		}
	}
	KUNIT_EXPECT_EQ(test, seen, BIT(ARRAY_SIZE(files)) - 1);
}

static struct kunit_case xenbus_cases[] = {
	KUNIT_CASE(state_names),
	KUNIT_CASE(state_values_parsed),
	KUNIT_CASE(state_values_refused),
	KUNIT_CASE(otherend_old_closed_ignored),
	KUNIT_CASE(otherend_checked),
	KUNIT_CASE(device_path_split),
	KUNIT_CASE(device_path_refused),
	KUNIT_CASE(driver_matched_by_type),
	KUNIT_CASE(device_files),
	{}
};

static struct kunit_suite xenbus_suite = {
	.name = "xen-xenbus",
	.test_cases = xenbus_cases,
};
kunit_test_suite(xenbus_suite);

MODULE_LICENSE("GPL");
