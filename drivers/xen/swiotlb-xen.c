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

/* The highest machine address in the bounce pool, for dma_supported(). */
static u64 pool_machine_limit;

/* Bytes of one pool segment: no bounce buffer crosses its boundary. */
#define SEGMENT_BYTES	(IO_TLB_SEGSIZE << IO_TLB_SHIFT)

int xen_swiotlb_fixup(void *buf, unsigned long nslabs)
{
	phys_addr_t phys = virt_to_phys(buf);
	unsigned long bytes = nslabs << IO_TLB_SHIFT, done;
	unsigned int order = get_order(SEGMENT_BYTES);
	dma_addr_t machine;
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
		pool_machine_limit = max_t(u64, pool_machine_limit,
					   machine + SEGMENT_BYTES - 1);
	}
	return 0;
}

/* The bus address of @phys: the machine frame, the same offset. */
static dma_addr_t bus_address(phys_addr_t phys)
{
	return phys_to_machine(phys);
}

/*
 * The pseudo-physical address behind a bus address, if the frame is ours
 * (a granted page of another domain, or an I/O frame, is not); only such
 * an address can be one of our bounce buffers.
 */
static bool our_phys(dma_addr_t bus, phys_addr_t *phys)
{
	unsigned long pfn = mfn_to_pfn(PHYS_PFN(bus));

	if (pfn == ~0UL)
		return false;
	*phys = PFN_PHYS(pfn) | (bus & ~PAGE_MASK);
	return true;
}

static bool machine_contiguous(phys_addr_t phys, size_t size)
{
	unsigned long pfn = PHYS_PFN(phys), first = pfn_to_mfn(pfn);
	unsigned long i, n = PFN_UP(offset_in_page(phys) + size);

	for (i = 1; i < n; i++)
		if (pfn_to_mfn(pfn + i) != first + i)
			return false;
	return true;
}

static bool is_bounce(struct device *dev, dma_addr_t bus, phys_addr_t *phys)
{
	return our_phys(bus, phys) && is_swiotlb_buffer(dev, *phys);
}

static dma_addr_t xen_dma_map_page(struct device *dev, struct page *page,
				   unsigned long offset, size_t size,
				   enum dma_data_direction dir,
				   unsigned long attrs)
{
	phys_addr_t phys = page_to_phys(page) + offset, tlb;
	dma_addr_t bus = bus_address(phys);

	if (machine_contiguous(phys, size) && dma_capable(dev, bus, size, true) &&
	    !is_swiotlb_force_bounce(dev))
		return bus;

	tlb = swiotlb_tbl_map_single(dev, phys, size, size, 0, dir, attrs);
	if (tlb == (phys_addr_t)DMA_MAPPING_ERROR)
		return DMA_MAPPING_ERROR;
	bus = bus_address(tlb);
	if (unlikely(!dma_capable(dev, bus, size, true))) {
		dev_err_ratelimited(dev, "xen: bounce buffer at %pad is beyond the DMA mask %#llx\n",
				    &bus, dma_get_mask(dev));
		swiotlb_tbl_unmap_single(dev, tlb, size, dir,
					 attrs | DMA_ATTR_SKIP_CPU_SYNC);
		return DMA_MAPPING_ERROR;
	}
	return bus;
}

static void xen_dma_unmap_page(struct device *dev, dma_addr_t bus,
			       size_t size, enum dma_data_direction dir,
			       unsigned long attrs)
{
	phys_addr_t phys;

	if (is_bounce(dev, bus, &phys))
		swiotlb_tbl_unmap_single(dev, phys, size, dir, attrs);
}

static void xen_dma_sync_single_for_cpu(struct device *dev, dma_addr_t bus,
					size_t size,
					enum dma_data_direction dir)
{
	phys_addr_t phys;

	if (is_bounce(dev, bus, &phys))
		swiotlb_sync_single_for_cpu(dev, phys, size, dir);
}

static void xen_dma_sync_single_for_device(struct device *dev,
					   dma_addr_t bus, size_t size,
					   enum dma_data_direction dir)
{
	phys_addr_t phys;

	if (is_bounce(dev, bus, &phys))
		swiotlb_sync_single_for_device(dev, phys, size, dir);
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

static void xen_dma_sync_sg_for_cpu(struct device *dev,
				    struct scatterlist *sgl, int nents,
				    enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		xen_dma_sync_single_for_cpu(dev, sg->dma_address,
					    sg_dma_len(sg), dir);
}

static void xen_dma_sync_sg_for_device(struct device *dev,
				       struct scatterlist *sgl, int nents,
				       enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		xen_dma_sync_single_for_device(dev, sg->dma_address,
					       sg_dma_len(sg), dir);
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
	gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM);
	vaddr = (void *)__get_free_pages(gfp | __GFP_ZERO, order);
	if (!vaddr)
		return NULL;
	if (xen_make_contiguous(virt_to_phys(vaddr), order, bits, bus)) {
		dev_warn_ratelimited(dev, "xen: no machine-contiguous memory below 2^%u for %zu coherent bytes\n",
				     bits, size);
		free_pages((unsigned long)vaddr, order);
		return NULL;
	}
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
