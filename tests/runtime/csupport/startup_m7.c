/* Minimal bare-metal start-up for the harness on QEMU mps2-an500: vector table, FPU enable,
 * .bss zeroing, main(), then exit through semihosting SYS_EXIT_EXTENDED with main's code. */
#include <stdint.h>

#include "te_harness_io.h"

extern uint32_t __bss_start__;
extern uint32_t __bss_end__;
extern uint32_t __stack_top;
int main(void);
void te_reset_handler(void);
void te_fault_handler(void);

typedef void (*te_vector)(void);

__attribute__((section(".vectors"), used)) static const te_vector te_vectors[16] = {
    (te_vector)(uintptr_t)&__stack_top, te_reset_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, 0, 0, 0, 0,
    te_fault_handler, te_fault_handler, 0, te_fault_handler, te_fault_handler};

void te_fault_handler(void)
{
    te_harness_write("TE-FAULT\n");
    te_harness_exit(3);
}

void te_reset_handler(void)
{
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    uint32_t *p;
    *cpacr |= 0xFu << 20; /* CP10 and CP11 full access: the FPU for hard-float code */
    __asm volatile("dsb\n\tisb" ::: "memory");
    for (p = &__bss_start__; p < &__bss_end__; ++p) {
        *p = 0;
    }
    te_harness_exit(main());
}
