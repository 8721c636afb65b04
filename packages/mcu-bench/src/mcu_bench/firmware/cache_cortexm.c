/*
 * mcu-bench: Cortex-M7 L1 caches (architectural registers, no vendor SDK). Boards are measured
 * with both caches on, as vendor start-up code leaves them. The data cache is cleaned before
 * the runner reads the result: a debugger reads RAM behind the cache. On a core without caches
 * (Cortex-M4) both functions do nothing.
 */
#include <stdint.h>

#include "bench_cortexm.h"

#define SCB_CPUID (*(volatile uint32_t *)0xE000ED00u)
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SCB_CCSIDR (*(volatile uint32_t *)0xE000ED80u)
#define SCB_CSSELR (*(volatile uint32_t *)0xE000ED84u)
#define SCB_ICIALLU (*(volatile uint32_t *)0xE000EF50u)
#define SCB_DCISW (*(volatile uint32_t *)0xE000EF60u)
#define SCB_DCCSW (*(volatile uint32_t *)0xE000EF6Cu)
#define CCR_DC (1u << 16)
#define CCR_IC (1u << 17)
#define CPUID_PART_CORTEX_M7 0xC27u

static void barrier(void)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

static int has_caches(void)
{
    return ((SCB_CPUID >> 4) & 0xFFFu) == CPUID_PART_CORTEX_M7;
}

/* Apply a set/way operation register to every line of the L1 data cache. */
static void dcache_by_set_way(volatile uint32_t *operation)
{
    SCB_CSSELR = 0; /* level 1 data cache */
    barrier();
    uint32_t ccsidr = SCB_CCSIDR;
    uint32_t sets = (ccsidr >> 13) & 0x7FFFu;
    uint32_t ways = (ccsidr >> 3) & 0x3FFu;
    for (uint32_t set = 0; set <= sets; ++set) {
        for (uint32_t way = 0; way <= ways; ++way) {
            *operation = ((set << 5) & 0x3FE0u) | ((way << 30) & 0xC0000000u);
        }
    }
    barrier();
}

void bench_caches_enable(void)
{
    if (!has_caches()) {
        return;
    }
    barrier();
    SCB_ICIALLU = 0;
    barrier();
    SCB_CCR |= CCR_IC;
    dcache_by_set_way(&SCB_DCISW);
    SCB_CCR |= CCR_DC;
    barrier();
}

void bench_dcache_clean(void)
{
    if (has_caches() && (SCB_CCR & CCR_DC)) {
        dcache_by_set_way(&SCB_DCCSW);
    }
}
