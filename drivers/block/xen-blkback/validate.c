// SPDX-License-Identifier: GPL-2.0
/*
 * What a frontend's request must satisfy before anything is done for it.
 *
 * Every field of a request is the frontend's to choose, so each is
 * checked against the protocol and the disk: segment counts against the
 * ABI's and our limits, each segment against its page (eight 512-byte
 * sectors; first_sect <= last_sect), the sectors it covers against the
 * size of the disk (without overflow) and its logical block size, writes
 * against a read-only disk, operations against those we offered.  A
 * request that fails is answered with an error and otherwise ignored: a
 * broken request is the frontend's problem, not a reason to stop serving
 * the rest of its requests.
 *
 * Pure functions of their arguments, so that they can be tested alone.
 */

#include <linux/kernel.h>

#include "common.h"

static int fail(const char **why, const char *reason, int status)
{
	*why = reason;
	return status;
}

int blkback_check_request(const struct blkback_desc *d,
			  const struct blkback_limits *lim,
			  enum blkback_kind *kind, const char **why)
{
	u64 block = lim->logical_size >> 9;

	*why = NULL;
	switch (d->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		if (!d->nr_segments ||
		    d->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			return fail(why, "bad segment count", BLKIF_RSP_ERROR);
		*kind = d->operation == BLKIF_OP_READ ? BLKBACK_READ :
							BLKBACK_WRITE;
		break;

	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		/* A flush may carry a write, or nothing. */
		if (d->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			return fail(why, "bad segment count", BLKIF_RSP_ERROR);
		if (lim->readonly && !d->nr_segments) {
			*kind = BLKBACK_NOTHING;	/* nothing to flush */
			return BLKIF_RSP_OKAY;
		}
		*kind = d->operation == BLKIF_OP_FLUSH_DISKCACHE ?
			BLKBACK_FLUSH : BLKBACK_BARRIER;
		break;

	case BLKIF_OP_DISCARD:
		if (!lim->discard)
			return fail(why, "discard not offered",
				    BLKIF_RSP_EOPNOTSUPP);
		if (lim->readonly)
			return fail(why, "discard on a read-only disk",
				    BLKIF_RSP_ERROR);
		if (d->nr_sectors > lim->sectors ||
		    d->sector > lim->sectors - d->nr_sectors)
			return fail(why, "discard beyond the end of the disk",
				    BLKIF_RSP_ERROR);
		if ((d->sector | d->nr_sectors) & (block - 1))
			return fail(why, "discard not aligned to the block size",
				    BLKIF_RSP_ERROR);
		if (!d->nr_sectors)
			*kind = BLKBACK_NOTHING;
		else if ((d->discard_flags & BLKIF_DISCARD_SECURE) &&
			 lim->secure_erase)
			*kind = BLKBACK_SECURE_ERASE;
		else
			*kind = BLKBACK_DISCARD;
		return BLKIF_RSP_OKAY;

	case BLKIF_OP_INDIRECT:
		if (!lim->max_indirect_segs)
			return fail(why, "indirect requests not offered",
				    BLKIF_RSP_EOPNOTSUPP);
		if (d->op != BLKIF_OP_READ && d->op != BLKIF_OP_WRITE)
			return fail(why, "bad indirect operation",
				    BLKIF_RSP_ERROR);
		/*
		 * The descriptors are fetched into pages of ours, eight at
		 * most whatever limit we were configured with.
		 */
		if (!d->nr_segments ||
		    d->nr_segments > min_t(unsigned int,
					   lim->max_indirect_segs,
					   BLKBACK_MAX_INDIRECT_SEGS))
			return fail(why, "bad indirect segment count",
				    BLKIF_RSP_ERROR);
		*kind = d->op == BLKIF_OP_READ ? BLKBACK_READ : BLKBACK_WRITE;
		break;

	default:
		return fail(why, "unknown operation", BLKIF_RSP_EOPNOTSUPP);
	}

	if (lim->readonly && *kind != BLKBACK_READ)
		return fail(why, "write to a read-only disk", BLKIF_RSP_ERROR);
	return BLKIF_RSP_OKAY;
}

int blkback_check_segments(const struct blkif_request_segment *seg,
			   unsigned int nr, u64 sector,
			   const struct blkback_limits *lim, const char **why)
{
	u64 block = lim->logical_size >> 9;
	u64 total = 0;
	unsigned int i, n;

	*why = NULL;
	if (sector & (block - 1))
		return fail(why, "start not aligned to the block size",
			    BLKIF_RSP_ERROR);
	for (i = 0; i < nr; i++) {
		if (seg[i].last_sect >= BLKBACK_SECTORS_PER_PAGE ||
		    seg[i].first_sect > seg[i].last_sect)
			return fail(why, "segment beyond its page",
				    BLKIF_RSP_ERROR);
		n = seg[i].last_sect - seg[i].first_sect + 1;
		if ((seg[i].first_sect | n) & (block - 1))
			return fail(why, "segment not aligned to the block size",
				    BLKIF_RSP_ERROR);
		total += n;
	}
	if (total > lim->sectors || sector > lim->sectors - total)
		return fail(why, "beyond the end of the disk", BLKIF_RSP_ERROR);
	return BLKIF_RSP_OKAY;
}
