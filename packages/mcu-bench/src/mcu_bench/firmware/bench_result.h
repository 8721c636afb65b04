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
#define BENCH_VERSION 2u

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

/* clock_status: what the firmware did to the clocks before timing */
#define BENCH_CLOCK_RESET 0u /* nothing: clocks as reset leaves them (no clock recipe in this build) */
#define BENCH_CLOCK_PLL 1u   /* the core runs from the PLL at clock_hz, as the board's recipe says */
/* 16 and up: the set-up stopped at this step (a bounded wait timed out); the core went back to HSI */
#define BENCH_CLOCK_ERR_HSI 16u        /* HSI not ready */
#define BENCH_CLOCK_ERR_SWITCH_HSI 17u /* SYSCLK did not switch back to HSI */
#define BENCH_CLOCK_ERR_PLL_OFF 18u    /* the PLL did not stop */
#define BENCH_CLOCK_ERR_HSE 19u        /* HSE not ready (no crystal, or no bypass clock) */
#define BENCH_CLOCK_ERR_SUPPLY 20u     /* H7: supply locked in another configuration, or not ready */
#define BENCH_CLOCK_ERR_VOS 21u        /* regulator voltage scaling not ready */
#define BENCH_CLOCK_ERR_OVERDRIVE 22u  /* over-drive not ready (F7 ODRDY/ODSWRDY, H7 VOS0) */
#define BENCH_CLOCK_ERR_PLL_LOCK 23u   /* the PLL did not lock */
#define BENCH_CLOCK_ERR_FLASH 24u      /* the flash wait states did not read back */
#define BENCH_CLOCK_ERR_SWITCH_PLL 25u /* SYSCLK did not switch to the PLL */
#define BENCH_CLOCK_ERR_HSIDIV 26u     /* H7: the HSI divider did not return to 1 */

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
    uint32_t clock_status;   /* BENCH_CLOCK_* */
    uint32_t clock_hz;       /* core clock the bench ran at, when the firmware set it or fell back (else 0) */
} bench_result;

extern volatile bench_result mcu_bench_result;

#endif /* MCU_BENCH_RESULT_H */
