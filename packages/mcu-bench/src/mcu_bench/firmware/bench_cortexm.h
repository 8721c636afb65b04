/*
 * mcu-bench: internals shared by the Cortex-M startup code and platform.
 */
#ifndef MCU_BENCH_CORTEXM_H
#define MCU_BENCH_CORTEXM_H

#include <stdint.h>

#define BENCH_STACK_PAINT 0xA5A5A5A5u

/** Enable the instruction and data caches when the core has them (Cortex-M7). */
void bench_caches_enable(void);

/** Write dirty data-cache lines back to RAM, so that a debugger reads what the core wrote. */
void bench_dcache_clean(void);

/** Record a fault (exception number) in the result and stop at `mcu_bench_done`. */
void bench_fault(uint32_t exception);

#endif /* MCU_BENCH_CORTEXM_H */
