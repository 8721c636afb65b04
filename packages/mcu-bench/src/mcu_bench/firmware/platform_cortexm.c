/*
 * mcu-bench: Cortex-M platform. Timing with the DWT cycle counter, or with SysTick where
 * CYCCNT reads 0 (QEMU); stack high-water mark from the painted stack; completion at
 * `mcu_bench_done`, where a debugger's breakpoint waits. Under the QEMU runner (the host
 * request word says so) the result is also dumped over semihosting and QEMU exits.
 */
#include <stdint.h>

#include "bench_cortexm.h"
#include "bench_platform.h"

extern uint32_t __stack_limit[], __stack_top[];

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define DWT_LAR (*(volatile uint32_t *)0xE0001FB0u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYSTICK_RELOAD 0xFFFFFFu

#define HOST_REQUEST_SEMIHOSTING 0x51454D55u /* "QEMU": written by the QEMU runner's loader */

/* Not touched by the startup code: the QEMU runner writes it before the core starts. */
__attribute__((section(".noinit"), used)) volatile uint32_t mcu_bench_host_request;

static uint32_t counter_kind;
static volatile uint32_t systick_wraps;

void SysTick_Handler(void)
{
    systick_wraps++;
}

uint32_t bench_timer_start(void)
{
    DEMCR |= 1u << 24; /* TRCENA */
    DWT_LAR = 0xC5ACCE55u;
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u; /* CYCCNTENA */
    __asm__ volatile("nop\n\tnop\n\tnop\n\tnop" ::: "memory");
    if (DWT_CYCCNT != 0) {
        counter_kind = BENCH_COUNTER_DWT_CYCLES;
        return counter_kind;
    }
    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt on wrap, processor clock */
    counter_kind = BENCH_COUNTER_SYSTICK;
    return counter_kind;
}

uint64_t bench_now(void)
{
    if (counter_kind == BENCH_COUNTER_DWT_CYCLES) {
        return DWT_CYCCNT;
    }
    uint32_t wraps, value;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
    } while (wraps != systick_wraps);
    return (uint64_t)wraps * (SYSTICK_RELOAD + 1u) + (SYSTICK_RELOAD - value);
}

uint32_t bench_stack_size(void)
{
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_limit);
}

uint32_t bench_stack_used(void)
{
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == BENCH_STACK_PAINT) {
        ++p;
    }
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* The runner's breakpoint: keep it a real, separate function. */
__attribute__((noinline, used)) void mcu_bench_done(void)
{
    __asm__ volatile("nop" ::: "memory");
}

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void semihost_dump(const volatile uint8_t *bytes, uint32_t n)
{
    static const char hex[] = "0123456789abcdef";
    char line[129];
    uint32_t used = 0;
    for (uint32_t i = 0; i < n; ++i) {
        line[used++] = hex[bytes[i] >> 4];
        line[used++] = hex[bytes[i] & 15u];
        if (used == sizeof line - 1 || i + 1 == n) {
            line[used] = 0;
            semihost(0x04, line); /* SYS_WRITE0 */
            used = 0;
        }
    }
}

static void report_to_qemu(const uint8_t *output, uint32_t output_bytes)
{
    semihost(0x04, "\nmcu-bench-result: ");
    semihost_dump((const volatile uint8_t *)&mcu_bench_result, sizeof mcu_bench_result);
    semihost_dump(output, output_bytes);
    semihost(0x04, "\n");
    static const uint32_t exit_args[2] = {0x20026u, 0u}; /* ADP_Stopped_ApplicationExit, code 0 */
    semihost(0x20, exit_args);                             /* SYS_EXIT_EXTENDED */
}

void bench_finish(const uint8_t *output, uint32_t output_bytes)
{
    SYST_CSR = 0;
    bench_dcache_clean();
    mcu_bench_done();
    if (mcu_bench_host_request == HOST_REQUEST_SEMIHOSTING) {
        report_to_qemu(output, output_bytes);
    }
    for (;;) {
    }
}

void bench_fault(uint32_t exception)
{
    mcu_bench_result.magic = BENCH_MAGIC;
    mcu_bench_result.version = BENCH_VERSION;
    mcu_bench_result.status = BENCH_STATUS_FAULT;
    mcu_bench_result.invoke_rc = (int32_t)exception;
    bench_finish(0, 0);
}
