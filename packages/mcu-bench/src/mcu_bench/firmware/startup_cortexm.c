/*
 * mcu-bench: startup code and vector table for Cortex-M4/M7 bare metal (no vendor SDK).
 *
 * Reset: enable the FPU (hard-float builds), copy .data, zero .bss, paint the stack
 * (for its high-water mark), enable the Cortex-M7 caches, call main. Faults record
 * themselves in the result and stop.
 * Symbols come from the linker script that mcu-bench generates (firmware/linker.py).
 */
#include <errno.h>
#include <stdint.h>

#include "bench_cortexm.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int main(void);
void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

typedef void (*vector)(void);

__attribute__((section(".isr_vector"), used)) const vector bench_vectors[16] = {
    (vector)(uintptr_t)__stack_top, /* initial stack pointer */
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};

void Reset_Handler(void)
{
#if defined(__ARM_FP)
    SCB_CPACR |= 0xFu << 20; /* CP10, CP11: full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    SCB_VTOR = (uint32_t)(uintptr_t)bench_vectors;
    for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = __bss_start; dst < __bss_end;) {
        *dst++ = 0;
    }
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = __stack_limit; p < sp - 16;) {
        *p++ = BENCH_STACK_PAINT;
    }
    bench_caches_enable();
    main();
    for (;;) {
    }
}

void Fault_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    bench_fault(ipsr & 0x1FFu);
}

/* No heap: malloc fails cleanly instead of growing into the stack. */
void *_sbrk(int increment)
{
    (void)increment;
    errno = ENOMEM;
    return (void *)-1;
}
