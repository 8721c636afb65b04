/*
 * mcu-bench: the bounded register wait the clock set-up code uses (clock_stm32f4f7.c, clock_stm32h7.c),
 * and the HSE start both families share.
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

/* RCC_CR's HSE bits, the same on STM32F4, F7 and H7. */
#define BENCH_RCC_CR_HSEON (1u << 16)
#define BENCH_RCC_CR_HSERDY (1u << 17)
#define BENCH_RCC_CR_HSEBYP (1u << 18)

/* Start the HSE (bypass: an external clock rather than a crystal; HSEBYP is only written while the
 * HSE is off) and wait until it is ready; 0 when it never is. */
static inline int start_hse(volatile uint32_t *rcc_cr, int bypass)
{
    if (!wait_for(rcc_cr, BENCH_RCC_CR_HSERDY, 0)) {
        return 0;
    }
    *rcc_cr = (*rcc_cr & ~BENCH_RCC_CR_HSEBYP) | (bypass ? BENCH_RCC_CR_HSEBYP : 0u);
    *rcc_cr |= BENCH_RCC_CR_HSEON;
    return wait_for(rcc_cr, BENCH_RCC_CR_HSERDY, BENCH_RCC_CR_HSERDY);
}

#endif /* BENCH_CLOCK_WAIT_H */
