// The compression libraries Kafka record batches use, from Debian's -dev packages.
#include <zlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zstd.h>

// CRC-32C with the processor's crc32 instruction (SSE 4.2), for record batch checksums.
// It lives here because Swift cannot name the instruction itself; callers check
// kafka_crc32c_hardware_available() first and use the portable table code otherwise.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

static inline int kafka_crc32c_hardware_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

// Advances a CRC-32C state (not inverted in or out: the caller owns pre- and post-inversion).
__attribute__((target("sse4.2")))
static inline uint32_t kafka_crc32c_hardware(uint32_t state, const void *bytes, size_t count) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint64_t crc = state;
    while (count > 0 && ((uintptr_t)p & 7) != 0) {
        crc = __builtin_ia32_crc32qi((uint32_t)crc, *p++);
        count--;
    }
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = __builtin_ia32_crc32di(crc, word);
        p += 8;
        count -= 8;
    }
    while (count > 0) {
        crc = __builtin_ia32_crc32qi((uint32_t)crc, *p++);
        count--;
    }
    return (uint32_t)crc;
}
#else
static inline int kafka_crc32c_hardware_available(void) { return 0; }
static inline uint32_t kafka_crc32c_hardware(uint32_t state, const void *bytes, size_t count) {
    (void)bytes; (void)count;
    return state;
}
#endif
