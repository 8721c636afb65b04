/*
 * mcu-bench: the bounded register wait the clock set-up code uses (clock_stm32f4f7.c, clock_stm32h7.c).
 * A clock that never comes ready must not hang the bench: every wait gives up after a fixed count of
 * polls and the caller records an error code in the result.
 */
#ifndef BENCH_CLOCK_WAIT_H
#define BENCH_CLOCK_WAIT_H

#include <stdint.h>

/* Polls per wait: about 0.3 s at 16 MHz (F4/F7 HSI) or 0.1 s at 64 MHz (H7 HSI), where PLL lock takes
 * ~0.1 ms and an HSE crystal a few ms. (The tests lower it to exercise the timeouts quickly in an
 * emulator.) */
#ifndef BENCH_CLOCK_WAIT_LOOPS
#define BENCH_CLOCK_WAIT_LOOPS 1000000u
#endif

/* Wait until (*reg & mask) == value; 0 on timeout. */
static inline int wait_for(volatile uint32_t *reg, uint32_t mask, uint32_t value)
{
    for (uint32_t i = 0; i < BENCH_CLOCK_WAIT_LOOPS; ++i) {
        if ((*reg & mask) == value) {
            return 1;
        }
    }
    return 0;
}

#endif /* BENCH_CLOCK_WAIT_H */
