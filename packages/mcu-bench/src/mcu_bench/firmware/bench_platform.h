/*
 * mcu-bench: what the bench main needs from a platform (Cortex-M bare metal, or the host).
 */
#ifndef MCU_BENCH_PLATFORM_H
#define MCU_BENCH_PLATFORM_H

#include <stdint.h>

#include "bench_result.h"

/** A golden input: bytes linked into the firmware as a const array. */
typedef struct {
    const void *data;
    uint32_t bytes;
} bench_buffer;

/**
 * Bring the core to the board's clock where the build has a clock recipe (clock_stm32*.c), or leave
 * the clocks as they are (clock_reset.c, the host). Returns a BENCH_CLOCK_* status; `*hz` is the core
 * clock in Hz it leaves (the recipe's, or HSI after a failure), 0 when the firmware does not know it.
 */
uint32_t bench_clock_setup(uint32_t *hz);

/** Start the timer; returns the BENCH_COUNTER_* kind that bench_now() counts in. */
uint32_t bench_timer_start(void);

/** Current timer value in ticks of that counter (monotonic, 64 bits). */
uint64_t bench_now(void);

/** Bytes reserved for the stack, and the high-water mark of the painted stack (0 if unknown). */
uint32_t bench_stack_size(void);
uint32_t bench_stack_used(void);

/** Hand the finished result to the runner: reaches `mcu_bench_done`, never returns. */
void bench_finish(const uint8_t *output, uint32_t output_bytes);

#endif /* MCU_BENCH_PLATFORM_H */
