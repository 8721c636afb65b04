/*
 * mcu-bench: internals shared by the Cortex-M startup code and platform.
 */
#ifndef MCU_BENCH_CORTEXM_H
#define MCU_BENCH_CORTEXM_H

#include <stdint.h>

#define BENCH_STACK_PAINT 0xA5A5A5A5u

/** Record a fault (exception number) in the result and stop at `mcu_bench_done`. */
void bench_fault(uint32_t exception);

#endif /* MCU_BENCH_CORTEXM_H */
