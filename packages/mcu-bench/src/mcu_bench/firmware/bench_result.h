/*
 * mcu-bench: the result record the bench firmware leaves in RAM (symbol `mcu_bench_result`).
 *
 * Every field is a little-endian 32-bit word so that a runner reads it the same way from a
 * board (pyOCD memory read), from QEMU (semihosting dump) or from a host process (stdout).
 * Keep in sync with mcu_bench/firmware/protocol.py.
 */
#ifndef MCU_BENCH_RESULT_H
#define MCU_BENCH_RESULT_H

#include <stdint.h>

#define BENCH_MAGIC 0x4255434Du /* "MCUB" */
#define BENCH_VERSION 1u

/* status */
#define BENCH_STATUS_OK 0u
#define BENCH_STATUS_RUNNING 1u       /* never reached the end */
#define BENCH_STATUS_INVOKE_FAILED 2u /* <prefix>_invoke() returned non-zero (see invoke_rc) */
#define BENCH_STATUS_FAULT 3u         /* a fault exception (its number in invoke_rc) */

/* counter: what ticks_* count */
#define BENCH_COUNTER_NONE 0u
#define BENCH_COUNTER_DWT_CYCLES 1u /* DWT CYCCNT: core clock cycles */
#define BENCH_COUNTER_SYSTICK 2u    /* SysTick at the processor clock (used when CYCCNT reads 0) */
#define BENCH_COUNTER_HOST_NS 3u    /* host monotonic clock, nanoseconds */

typedef struct {
    uint32_t magic;
    uint32_t version;
    uint32_t status;
    int32_t invoke_rc;
    uint32_t counter;
    uint32_t warmup;
    uint32_t repeat;
    uint32_t ticks_min;      /* fastest timed inference */
    uint32_t ticks_max;      /* slowest timed inference */
    uint32_t ticks_total_lo; /* sum over the timed inferences, 64 bits */
    uint32_t ticks_total_hi;
    uint32_t stack_size;     /* bytes reserved for the stack */
    uint32_t stack_used;     /* high-water mark of the painted stack, bytes */
    uint32_t output_bytes;   /* all outputs, concatenated in `mcu_bench_output` */
    uint32_t output_checksum; /* FNV-1a 32 of those bytes */
    uint32_t output_addr;    /* address of `mcu_bench_output` (low 32 bits on the host) */
} bench_result;

extern volatile bench_result mcu_bench_result;

#endif /* MCU_BENCH_RESULT_H */
