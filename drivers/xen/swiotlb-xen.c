// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA API of a PV dom0: machine addresses, and bouncing where needed.
 *
 * dom0 drives the machine's devices, and a device sees machine addresses,
 * not our pseudo-physical ones.  So every mapping is translated through
 * the p2m, and a buffer that a device cannot take as it is goes through a
 * bounce buffer that it can:
 *
 *  - its pages are not machine-contiguous (pages next to each other for
 *    us are usually not next to each other in the machine), or
 *  - its machine address is beyond the device's DMA mask (Xen gives dom0
 *    memory above 4 GiB first, and keeps low memory for DMA).
 *
 * The bounce buffers are the kernel's swiotlb pool, made usable first:
 * Xen trades the frames behind each of its segments for a machine-
 * contiguous extent below 4 GiB (xen_make_contiguous(), exchange.c).  A
 * swiotlb slot never spans two segments, so every bounce buffer is
 * machine-contiguous.  Coherent allocations are traded the same way, for
 * an extent below the device's coherent mask.
 *
 * x86 DMA is cache-coherent, so there is no cache maintenance here, only
 * the copies to and from bounce buffers.  arch/x86/kernel/pci-dma.c
 * installs these operations in a PV dom0 and asks for the pool with
 * xen_swiotlb_fixup() as its remap step.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/swiotlb.h>

#include <asm/xen/page.h>

#include <xen/swiotlb-xen.h>
#include <xen/xen.h>

/*
 * The highest machine address in the bounce pool: a device whose mask
 * reaches it can always be served; one whose mask does not can only take
 * buffers that suit it as they are.
 */
static u64 pool_machine_limit;

/* Bytes of one pool segment: no bounce buffer crosses its boundary. */
#define SEGMENT_BYTES	(IO_TLB_SEGSIZE << IO_TLB_SHIFT)

int xen_swiotlb_fixup(void *buf, unsigned long nslabs)
{
	phys_addr_t phys = virt_to_phys(buf);
	unsigned long bytes = nslabs << IO_TLB_SHIFT, done;
	unsigned int order = get_order(SEGMENT_BYTES);
	dma_addr_t machine;
	u64 limit = 0;
	int err;

	/* The pool comes in whole segments, each a power-of-two of pages. */
	if (WARN_ON(!IS_ALIGNED(phys, PAGE_SIZE) ||
		    !IS_ALIGNED(bytes, SEGMENT_BYTES) ||
		    PAGE_SIZE << order != SEGMENT_BYTES))
		return -EINVAL;

	for (done = 0; done < bytes; done += SEGMENT_BYTES) {
		err = xen_make_contiguous(phys + done, order, 32, &machine);
		if (err) {
			pr_warn("xen: no machine-contiguous memory below 4 GiB for the DMA bounce pool (%lu of %lu KiB): %d\n",
				done >> 10, bytes >> 10, err);
			/* The caller halves the pool and tries again. */
			while (done) {
				done -= SEGMENT_BYTES;
				xen_release_contiguous(phys + done, order);
			}
			return err;
		}
		limit = max_t(u64, limit, machine + SEGMENT_BYTES - 1);
	}
	/* Only a pool that is all there counts. */
	pool_machine_limit = max(pool_machine_limit, limit);
	return 0;
}

/*
 * The bus address at which a device can reach [@phys, @phys + @size) as
 * it is, if it can: one walk of the p2m, which must give frames that
 * follow each other (no hole: a ballooned-out page has none) and end
 * within the device's reach.  A frame granted by another domain counts
 * like one of ours: the device must reach that domain's page.
 */
static bool direct_bus_address(struct device *dev, phys_addr_t phys,
			       size_t size, dma_addr_t *bus)
{
	unsigned long pfn = PHYS_PFN(phys);
	unsigned long n = PFN_UP(offset_in_page(phys) + size);
	unsigned long first = pfn_to_mfn(pfn), i;

	if (is_swiotlb_force_bounce(dev))
		return false;
	for (i = 0; i < n; i++)
		if (pfn_to_mfn(pfn + i) == INVALID_P2M_ENTRY ||
		    pfn_to_mfn(pfn + i) != first + i)
			return false;
	*bus = PFN_PHYS(first) | offset_in_page(phys);
	return dma_capable(dev, *bus, size, true);
}

/*
 * The bounce buffer behind a bus address, if it is one: its frame must
 * be ours (the m2p names a pfn whose p2m entry agrees; a frame granted
 * by another domain or an I/O frame is not) and inside the pool.
 */
static bool bounce_buffer(struct device *dev, dma_addr_t bus,
			  phys_addr_t *phys)
{
	unsigned long pfn = mfn_to_pfn(PHYS_PFN(bus));

	if (pfn == ~0UL)
		return false;
	*phys = PFN_PHYS(pfn) | offset_in_page(bus);
	return is_swiotlb_buffer(dev, *phys);
}

static dma_addr_t xen_dma_map_page(struct device *dev, struct page *page,
				   unsigned long offset, size_t size,
				   enum dma_data_direction dir,
				   unsigned long attrs)
{
	phys_addr_t phys = page_to_phys(page) + offset, tlb;
	u64 reach = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	dma_addr_t bus;

	if (direct_bus_address(dev, phys, size, &bus))
		return bus;
	/* Every bounce buffer is within the pool's limit, or none is. */
	if (!pool_machine_limit || reach < pool_machine_limit) {
		dev_err_ratelimited(dev, "xen: cannot bounce for DMA: the pool (up to %#llx) is beyond the device's reach %#llx\n",
				    pool_machine_limit, reach);
		return DMA_MAPPING_ERROR;
	}
	tlb = swiotlb_tbl_map_single(dev, phys, size, size, 0, dir, attrs);
	if (tlb == (phys_addr_t)DMA_MAPPING_ERROR)
		return DMA_MAPPING_ERROR;
	/* A pool segment is one machine extent: the buffer is too. */
	return phys_to_machine(tlb);
}

static void xen_dma_unmap_page(struct device *dev, dma_addr_t bus,
			       size_t size, enum dma_data_direction dir,
			       unsigned long attrs)
{
	phys_addr_t phys;

	if (bounce_buffer(dev, bus, &phys))
		swiotlb_tbl_unmap_single(dev, phys, size, dir, attrs);
}

/* Copy between a bounce buffer and its original, for the CPU or device. */
static void sync_bounce(struct device *dev, dma_addr_t bus, size_t size,
			enum dma_data_direction dir, bool for_cpu)
{
	phys_addr_t phys;

	if (!bounce_buffer(dev, bus, &phys))
		return;
	if (for_cpu)
		swiotlb_sync_single_for_cpu(dev, phys, size, dir);
	else
		swiotlb_sync_single_for_device(dev, phys, size, dir);
}

static void xen_dma_sync_single_for_cpu(struct device *dev, dma_addr_t bus,
					size_t size,
					enum dma_data_direction dir)
{
	sync_bounce(dev, bus, size, dir, true);
}

static void xen_dma_sync_single_for_device(struct device *dev,
					   dma_addr_t bus, size_t size,
					   enum dma_data_direction dir)
{
	sync_bounce(dev, bus, size, dir, false);
}

static void xen_dma_unmap_sg(struct device *dev, struct scatterlist *sgl,
			     int nents, enum dma_data_direction dir,
			     unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		xen_dma_unmap_page(dev, sg->dma_address, sg_dma_len(sg), dir,
				   attrs);
}

static int xen_dma_map_sg(struct device *dev, struct scatterlist *sgl,
			  int nents, enum dma_data_direction dir,
			  unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		sg->dma_address = xen_dma_map_page(dev, sg_page(sg), sg->offset,
						   sg->length, dir, attrs);
		if (sg->dma_address == DMA_MAPPING_ERROR) {
			xen_dma_unmap_sg(dev, sgl, i, dir,
					 attrs | DMA_ATTR_SKIP_CPU_SYNC);
			return -EIO;
		}
		sg_dma_len(sg) = sg->length;
	}
	return nents;
}

static void sync_sg(struct device *dev, struct scatterlist *sgl, int nents,
		    enum dma_data_direction dir, bool for_cpu)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		sync_bounce(dev, sg->dma_address, sg_dma_len(sg), dir, for_cpu);
}

static void xen_dma_sync_sg_for_cpu(struct device *dev,
				    struct scatterlist *sgl, int nents,
				    enum dma_data_direction dir)
{
	sync_sg(dev, sgl, nents, dir, true);
}

static void xen_dma_sync_sg_for_device(struct device *dev,
				       struct scatterlist *sgl, int nents,
				       enum dma_data_direction dir)
{
	sync_sg(dev, sgl, nents, dir, false);
}

/*
 * Coherent memory: fresh pages, traded for one machine-contiguous extent
 * below the coherent mask.  The trade is undone when they are freed.
 */
static void *xen_dma_alloc(struct device *dev, size_t size,
			   dma_addr_t *bus, gfp_t gfp, unsigned long attrs)
{
	u64 mask = dev->coherent_dma_mask;
	unsigned int order = get_order(size);
	unsigned int bits = mask ? fls64(mask) : 32;
	void *vaddr;

	if (order > XEN_EXCHANGE_MAX_ORDER)
		return NULL;
	/* Where the pages are for us does not matter: Xen picks the frames. */
	gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM | __GFP_ZERO);
	vaddr = (void *)__get_free_pages(gfp, order);
	if (!vaddr)
		return NULL;
	if (xen_make_contiguous(virt_to_phys(vaddr), order, bits, bus)) {
		dev_warn_ratelimited(dev, "xen: no machine-contiguous memory below 2^%u for %zu coherent bytes\n",
				     bits, size);
		free_pages((unsigned long)vaddr, order);
		return NULL;
	}
	/*
	 * Zero the frames the device will see, not the ones Xen took back:
	 * what the new frames held before is not ours to know, and Xen
	 * scrubs only memory it was told was dirty.
	 */
	memset(vaddr, 0, PAGE_SIZE << order);
	return vaddr;
}

static void xen_dma_free(struct device *dev, size_t size, void *vaddr,
			 dma_addr_t bus, unsigned long attrs)
{
	unsigned int order = get_order(size);

	xen_release_contiguous(virt_to_phys(vaddr), order);
	free_pages((unsigned long)vaddr, order);
}

/*
 * A mask that reaches the whole bounce pool can always be served.
 * Without a pool (Xen had no low memory to trade) only buffers that
 * happen to suit a device can be mapped; let 32-bit devices try, their
 * mappings fail one by one with a message.
 */
static int xen_dma_supported(struct device *dev, u64 mask)
{
	return mask >= (pool_machine_limit ?: DMA_BIT_MASK(32));
}

const struct dma_map_ops xen_swiotlb_dma_ops = {
	.alloc			= xen_dma_alloc,
	.free			= xen_dma_free,
	.alloc_pages		= dma_common_alloc_pages,
	.free_pages		= dma_common_free_pages,
	.mmap			= dma_common_mmap,
	.get_sgtable		= dma_common_get_sgtable,
	.map_page		= xen_dma_map_page,
	.unmap_page		= xen_dma_unmap_page,
	.map_sg			= xen_dma_map_sg,
	.unmap_sg		= xen_dma_unmap_sg,
	.sync_single_for_cpu	= xen_dma_sync_single_for_cpu,
	.sync_single_for_device	= xen_dma_sync_single_for_device,
	.sync_sg_for_cpu	= xen_dma_sync_sg_for_cpu,
	.sync_sg_for_device	= xen_dma_sync_sg_for_device,
	.dma_supported		= xen_dma_supported,
	.max_mapping_size	= swiotlb_max_mapping_size,
};
