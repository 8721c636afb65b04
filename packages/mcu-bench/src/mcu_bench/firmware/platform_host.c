/*
 * mcu-bench: host platform, for quick functional checks with the machine's own compiler.
 * Timing with the monotonic clock (nanoseconds); no stack figure; the result goes to stdout
 * in the same hex form the QEMU runner reads.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_platform.h"

uint32_t bench_clock_setup(uint32_t *hz)
{
    *hz = 0;
    return BENCH_CLOCK_RESET;
}

uint32_t bench_timer_start(void)
{
    return BENCH_COUNTER_HOST_NS;
}

uint64_t bench_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

uint32_t bench_stack_size(void)
{
    return 0;
}

uint32_t bench_stack_used(void)
{
    return 0;
}

static void dump(const volatile uint8_t *bytes, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i) {
        printf("%02x", bytes[i]);
    }
}

void bench_finish(const uint8_t *output, uint32_t output_bytes)
{
    printf("mcu-bench-result: ");
    dump((const volatile uint8_t *)&mcu_bench_result, sizeof mcu_bench_result);
    dump(output, output_bytes);
    printf("\n");
    exit(0);
}
