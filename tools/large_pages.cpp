// The executables' allocation policy: large blocks (the per-cell and per-demand-point arrays of a
// prefecture or province run, tens to hundreds of MiB each) are backed by transparent huge pages.
// Debian's kernels give huge pages only where asked (THP "madvise"); with 4 KiB pages a run pays a
// page fault per 4 KiB touched and misses the TLB on the router's and snapper's scattered reads. On
// the dense prefecture this took coverage from 4.9 to about 4.0 s of CPU (glibc's own
// glibc.malloc.hugetlb=1 tunable does the same, but only when set in the environment before start).
// Huge pages are advice: with THP "defrag=madvise" a fault may compact memory first when it is
// fragmented, a pause paid once per 2 MiB. Not under AddressSanitizer (GCC's macro, clang's feature
// test), whose own operator new checks new/delete pairing.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEALTHREACH_ASAN 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(HEALTHREACH_ASAN)

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t large_block = std::size_t{4} << 20;  // holds one whole 2 MiB page wherever it starts

void advise_huge_pages(void* p, std::size_t n) {
    static const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) & ~(page - 1);
    const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(p) + n) & ~(page - 1);
    // Advice only: a kernel without THP refuses it, and the block works as before.
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace

void* operator new(std::size_t n) {
    void* p;
    while (!(p = std::malloc(n ? n : 1))) {
        // As the standard's operator new: the new-handler may free memory and retry, or give up.
        const std::new_handler handler = std::get_new_handler();
        if (!handler) throw std::bad_alloc();
        handler();
    }
    if (n >= large_block) advise_huge_pages(p, n);
    return p;
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

#endif
