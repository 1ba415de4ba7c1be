// SPDX-License-Identifier: GPL-2.0
/*
 * The blkif ring ABIs: where a request's fields sit in a ring slot.
 *
 * Xen's public header describes the native layout.  A 32-bit x86
 * frontend (protocol "x86_32-abi") lays out the same fields with i386's
 * alignment rules, which put a 64-bit field on a 4-byte boundary: the
 * 64-bit id that follows the first four bytes of every request moves
 * from offset 8 to offset 4, and everything after the id moves with it.
 * So one number, the id's offset, tells the two layouts apart; the
 * distances from the id are taken from the native structures.  The slot
 * shrinks from 112 to 108 bytes (a read/write request with its eleven
 * segments), and the ring holds the same 32 entries per page.
 *
 * Responses are the same in both: id at 0, operation at 8, status at 10;
 * only the padding at the end differs, which slot_size accounts for.
 *
 * Decoding works on a private copy of the slot, so the frontend cannot
 * change a field between our check and our use of it.
 */

#include <linux/bug.h>
#include <linux/log2.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "common.h"

/* Distance of a field from the id, the same in every ABI. */
#define FROM_ID(type, field)	(offsetof(type, field) - offsetof(type, id))

#define SEGS_SIZE \
	(BLKIF_MAX_SEGMENTS_PER_REQUEST * sizeof(struct blkif_request_segment))

const struct blkback_abi blkback_abi_x86_64 = {
	.name		= "x86_64-abi",
	.slot_size	= sizeof(union blkif_sring_entry),
	.id_offset	= offsetof(struct blkif_request, id),
};

const struct blkback_abi blkback_abi_x86_32 = {
	.name		= "x86_32-abi",
	.slot_size	= 4 + FROM_ID(struct blkif_request, seg) + SEGS_SIZE,
	.id_offset	= 4,
};

/* Everything below reads the layout from Xen's header; check it. */
static void __maybe_unused layout_checks(void)
{
	BUILD_BUG_ON(offsetof(struct blkif_request, id) != 8);
	BUILD_BUG_ON(sizeof(union blkif_sring_entry) !=
		     8 + FROM_ID(struct blkif_request, seg) + SEGS_SIZE);
	BUILD_BUG_ON(offsetof(struct blkif_request_indirect, id) != 8);
	BUILD_BUG_ON(offsetof(struct blkif_request_discard, id) != 8);
	BUILD_BUG_ON(sizeof(struct blkif_request_segment) != 8);
	BUILD_BUG_ON(offsetof(struct blkif_response, operation) != 8);
	BUILD_BUG_ON(offsetof(struct blkif_response, status) != 10);
	BUILD_BUG_ON(offsetof(struct blkif_sring, ring) != 64);
}

const struct blkback_abi *blkback_abi_by_name(const char *protocol)
{
	if (!protocol || !*protocol)
		return &blkback_abi_x86_64;	/* "native": we are 64-bit */
	if (!strcmp(protocol, blkback_abi_x86_64.name))
		return &blkback_abi_x86_64;
	if (!strcmp(protocol, blkback_abi_x86_32.name))
		return &blkback_abi_x86_32;
	return NULL;
}

unsigned int blkback_ring_entries(const struct blkback_abi *abi, size_t bytes)
{
	size_t header = offsetof(struct blkif_sring, ring);

	if (bytes < header + abi->slot_size)
		return 0;
	return rounddown_pow_of_two((bytes - header) / abi->slot_size);
}

/* Segment descriptors, in a request or an indirect page (both ABIs). */
void blkback_decode_segments(const void *from, unsigned int nr,
			     struct blkif_request_segment *seg)
{
	const u8 *p = from;
	unsigned int i;

	for (i = 0; i < nr; i++, p += sizeof(*seg)) {
		seg[i].gref = get_unaligned((const u32 *)p);
		seg[i].first_sect =
			p[offsetof(struct blkif_request_segment, first_sect)];
		seg[i].last_sect =
			p[offsetof(struct blkif_request_segment, last_sect)];
	}
}

void blkback_decode(const struct blkback_abi *abi, const void *slot,
		    struct blkback_desc *d)
{
	const u8 *s = slot;
	const u8 *id = s + abi->id_offset;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->operation = s[0];
	d->op = d->operation;
	d->id = get_unaligned((const u64 *)id);

	switch (d->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		d->nr_segments = s[offsetof(struct blkif_request, nr_segments)];
		d->sector = get_unaligned((const u64 *)
			(id + FROM_ID(struct blkif_request, sector_number)));
		/* Only as many as fit; the count itself is checked later. */
		blkback_decode_segments(id + FROM_ID(struct blkif_request, seg),
				min_t(unsigned int, d->nr_segments,
				      BLKIF_MAX_SEGMENTS_PER_REQUEST), d->seg);
		break;
	case BLKIF_OP_DISCARD:
		d->discard_flags = s[offsetof(struct blkif_request_discard,
					      flag)];
		d->sector = get_unaligned((const u64 *)
			(id + FROM_ID(struct blkif_request_discard,
				      sector_number)));
		d->nr_sectors = get_unaligned((const u64 *)
			(id + FROM_ID(struct blkif_request_discard,
				      nr_sectors)));
		break;
	case BLKIF_OP_INDIRECT:
		d->op = s[offsetof(struct blkif_request_indirect, indirect_op)];
		d->nr_segments = get_unaligned((const u16 *)
			(s + offsetof(struct blkif_request_indirect,
				      nr_segments)));
		d->sector = get_unaligned((const u64 *)
			(id + FROM_ID(struct blkif_request_indirect,
				      sector_number)));
		for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
			d->indirect_grefs[i] = get_unaligned((const u32 *)
				(id + FROM_ID(struct blkif_request_indirect,
					      indirect_grefs) + 4 * i));
		break;
	default:
		/* Unknown: only the id is needed, to answer it. */
		break;
	}
}

void blkback_encode_response(void *slot, u64 id, u8 operation, s16 status)
{
	u8 *s = slot;

	put_unaligned(id, (u64 *)(s + offsetof(struct blkif_response, id)));
	s[offsetof(struct blkif_response, operation)] = operation;
	put_unaligned(status,
		      (s16 *)(s + offsetof(struct blkif_response, status)));
}
