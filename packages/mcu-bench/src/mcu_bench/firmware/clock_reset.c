/*
 * mcu-bench: no clock set-up. Built instead of clock_stm32*.c for a board without a `clock:`
 * recipe, and for an emulated machine (QEMU's MPS2 machines have no STM32 RCC: the clock code
 * would fault there). The core runs at whatever clock reset leaves.
 */
#include <stdint.h>

#include "bench_platform.h"

uint32_t bench_clock_setup(uint32_t *hz)
{
    *hz = 0;
    return BENCH_CLOCK_RESET;
}
