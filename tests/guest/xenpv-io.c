// SPDX-License-Identifier: GPL-2.0
/*
 * xenpv-io: the disk workloads of "make bench-io", run inside a domU on a
 * block device.  Built static on the host.  Every transfer is O_DIRECT, so
 * the guest's page cache never answers for the disk, and synchronous: one
 * request in flight (queue depth 1).
 *
 *   xenpv-io fill DEV [KB]           write the whole device once, from the
 *                                    start, in KB KiB blocks (1024); fsync
 *   xenpv-io seqwrite DEV SECS [KB]  the same for SECS seconds, starting
 *                                    over at the end of the device
 *   xenpv-io seqread DEV SECS [KB]   the same, reading
 *   xenpv-io randread DEV SECS [KB]  for SECS seconds: read one KB KiB
 *                                    block (4) at a random KB-aligned
 *                                    offset of the whole device
 *   xenpv-io randwrite DEV SECS [KB] the same, writing; then fsync
 *
 * A run for SECS seconds lasts as long whatever the speed, so a slow
 * kernel and a fast one are measured over the same time.  The random
 * offsets come from a fixed seed: every kernel measured sees the same
 * sequence.  Each run prints one line that ends in "<value> MB/s" (10^6
 * bytes per second) or "<value> IOPS" and exits 0, or prints what went
 * wrong and exits 1.
 *
 * That value, and SECS, are on the guest's own clock, which is part of
 * the kernel under test.  The benchmark takes its time from outside:
 * with XENPV_MARK=FILE in the environment (the console), a line
 *   XENPV-BENCHIO-MARK begin TAG
 * is written to FILE right before the first transfer and
 *   XENPV-BENCHIO-MARK end TAG bytes=N ops=N guest_ms=MS
 * right after the last one (and the fsync); dom0 notes when each line
 * reaches it, on its own clock, and divides the work by that time.  TAG
 * is XENPV_MARK_TAG (the name of the measurement).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int mark_fd = -1;
static const char *mark_tag = "-";

/* One marker line, written at once: its arrival is the time. */
static void mark(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (mark_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && n < (int)sizeof(line) && write(mark_fd, line, n) != n)
		fprintf(stderr, "xenpv-io: cannot write the marker\n");
}

static int fail(const char *what)
{
	fprintf(stderr, "xenpv-io: %s: %s\n", what, strerror(errno));
	return 1;
}

/* One whole transfer at @off, or an error. */
static int xfer(int fd, int wr, char *buf, size_t len, off_t off)
{
	ssize_t n = wr ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

	if (n == (ssize_t)len)
		return 0;
	if (n >= 0) {
		fprintf(stderr, "xenpv-io: short %s at %lld: %zd of %zu bytes\n",
			wr ? "write" : "read", (long long)off, n, len);
		return 1;
	}
	return fail(wr ? "pwrite" : "pread");
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "", *dev = argc > 2 ? argv[2] : "";
	int fill = !strcmp(what, "fill");
	long secs = fill ? 1 : argc > 3 ? strtol(argv[3], NULL, 0) : 0;
	const char *kbarg = argc > 3 + !fill ? argv[3 + !fill] : NULL;
	int seq = fill || !strcmp(what, "seqwrite") || !strcmp(what, "seqread");
	int wr = fill || !strcmp(what, "seqwrite") || !strcmp(what, "randwrite");
	long kb = kbarg ? strtol(kbarg, NULL, 0) : seq ? 1024 : 4;
	size_t bs = (size_t)kb << 10;
	uint64_t size, blocks, seed = 0x9e3779b97f4a7c15ULL, done = 0;
	double t0, until, ms;
	char *buf;
	int fd;

	if ((!seq && strcmp(what, "randread") && strcmp(what, "randwrite")) ||
	    !*dev || secs <= 0 || kb <= 0 || kb % 4) {
		fprintf(stderr, "usage: xenpv-io fill DEV [KB] | seqwrite|seqread|randread|randwrite DEV SECONDS [KB]\n");
		return 2;
	}
	fd = open(dev, (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		return fail(dev);
	if (ioctl(fd, BLKGETSIZE64, &size))
		return fail("BLKGETSIZE64");
	blocks = size / bs;
	if (!blocks) {
		fprintf(stderr, "xenpv-io: %s has only %llu bytes\n", dev,
			(unsigned long long)size);
		return 1;
	}
	if (posix_memalign((void **)&buf, 4096, bs))
		return fail("posix_memalign");
	memset(buf, 0x5a, bs);
	if (getenv("XENPV_MARK")) {
		mark_fd = open(getenv("XENPV_MARK"), O_WRONLY | O_NOCTTY);
		if (mark_fd < 0)
			return fail(getenv("XENPV_MARK"));
		if (getenv("XENPV_MARK_TAG"))
			mark_tag = getenv("XENPV_MARK_TAG");
	}

	mark("XENPV-BENCHIO-MARK begin %s\n", mark_tag);
	t0 = now_ms();
	until = t0 + secs * 1e3;
	if (fill) {
		for (done = 0; done < blocks; done++)
			if (xfer(fd, wr, buf, bs, done * bs))
				return 1;
	} else {
		while (now_ms() < until) {
			uint64_t b = seq ? done % blocks : xorshift(&seed) % blocks;

			if (xfer(fd, wr, buf, bs, b * bs))
				return 1;
			done++;
		}
	}
	if (wr && fsync(fd))
		return fail("fsync");
	ms = now_ms() - t0;
	mark("XENPV-BENCHIO-MARK end %s bytes=%llu ops=%llu guest_ms=%.3f\n",
	     mark_tag, (unsigned long long)(done * bs), (unsigned long long)done, ms);
	close(fd);
	if (seq)
		printf("%s: %llu MiB in %ld KiB blocks in %.1f ms: %.2f MB/s\n",
		       what, (unsigned long long)(done * bs >> 20), kb, ms,
		       done * bs / ms / 1e3);
	else
		printf("%s: %llu x %ld KiB in %.1f ms: %.1f IOPS\n", what,
		       (unsigned long long)done, kb, ms, done / ms * 1e3);
	return 0;
}
