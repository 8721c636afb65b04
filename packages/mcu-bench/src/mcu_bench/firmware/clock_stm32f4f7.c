/*
 * mcu-bench: clock set-up for STM32F4 (RM0402 and siblings) and STM32F7 (RM0385), registers
 * written directly, no vendor SDK. Built only for a real board whose file has a `clock:` recipe;
 * mcu_bench/boards/clock.py checks the recipe and passes its numbers as BENCH_CLOCK_* defines.
 *
 * Order, as RM0385 5.1.4 (over-drive) and the vendor's SystemClock_Config do it:
 *   1. back to the reset state: HSI on, SYSCLK from HSI, PLL and HSE off, prescalers /1
 *   2. PWR clock on, regulator scale (VOS) while the PLL is off
 *   3. HSE on if the recipe uses it; PLL M, N, P and source; PLL on, wait for lock
 *   4. F7 over-drive: ODEN, wait ODRDY, ODSWEN, wait ODSWRDY; then wait VOSRDY
 *   5. flash wait states (F4: ART caches and prefetch on), read back, BEFORE the clock rises
 *   6. AHB/APB prescalers, then SYSCLK from the PLL, wait until SWS says so
 * Every wait is bounded. A step that times out returns its BENCH_CLOCK_ERR_* code and the core
 * goes back to HSI (16 MHz), so the bench still runs and the result says what happened.
 */
#include <stdint.h>

#include "bench_clock_wait.h"
#include "bench_platform.h"

#define RCC_BASE 0x40023800u
#define RCC_CR (*(volatile uint32_t *)(RCC_BASE + 0x00u))
#define RCC_PLLCFGR (*(volatile uint32_t *)(RCC_BASE + 0x04u))
#define RCC_CFGR (*(volatile uint32_t *)(RCC_BASE + 0x08u))
#define RCC_APB1ENR (*(volatile uint32_t *)(RCC_BASE + 0x40u))
#define PWR_CR (*(volatile uint32_t *)0x40007000u)  /* PWR_CR1 on F7 */
#define PWR_CSR (*(volatile uint32_t *)0x40007004u) /* PWR_CSR1 on F7 */
#define FLASH_ACR (*(volatile uint32_t *)0x40023C00u)

#define CR_HSION (1u << 0)
#define CR_HSIRDY (1u << 1)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define PLLCFGR_M (0x3Fu << 0)
#define PLLCFGR_N (0x1FFu << 6)
#define PLLCFGR_P (0x3u << 16)
#define PLLCFGR_SRC_HSE (1u << 22)
#define CFGR_SW (0x3u << 0)
#define CFGR_SW_PLL (0x2u << 0)
#define CFGR_SWS (0x3u << 2)
#define CFGR_SWS_PLL (0x2u << 2)
#define CFGR_HPRE (0xFu << 4)
#define CFGR_PPRE1 (0x7u << 10)
#define CFGR_PPRE2 (0x7u << 13)
#define APB1ENR_PWREN (1u << 28)
#define PWR_CR_VOS (0x3u << 14)
#define PWR_CR_ODEN (1u << 16)
#define PWR_CR_ODSWEN (1u << 17)
#define PWR_CSR_VOSRDY (1u << 14)
#define PWR_CSR_ODRDY (1u << 16)
#define PWR_CSR_ODSWRDY (1u << 17)
#define ACR_LATENCY (0xFu << 0)
#define ACR_F4_CACHES ((1u << 8) | (1u << 9) | (1u << 10)) /* PRFTEN, ICEN, DCEN */

/* F4: code runs through the ART accelerator, on as vendor start-up code leaves it. F7: the ART
 * serves only the ITCM bus; this firmware runs from the AXIM bus through the L1 caches. */
#if BENCH_CLOCK_F4
#define ACR_ACCELERATOR ACR_F4_CACHES
#else
#define ACR_ACCELERATOR 0u
#endif

/* HSI as SYSCLK with the PLL and HSE off and prescalers /1: the state reset leaves. */
static uint32_t back_to_hsi(void)
{
    RCC_CR |= CR_HSION;
    if (!wait_for(&RCC_CR, CR_HSIRDY, CR_HSIRDY)) {
        return BENCH_CLOCK_ERR_HSI;
    }
    RCC_CFGR &= ~CFGR_SW; /* SW = 00: HSI */
    if (!wait_for(&RCC_CFGR, CFGR_SWS, 0)) {
        return BENCH_CLOCK_ERR_SWITCH_HSI;
    }
    RCC_CFGR &= ~(CFGR_HPRE | CFGR_PPRE1 | CFGR_PPRE2);
    RCC_CR &= ~CR_PLLON;
    if (!wait_for(&RCC_CR, CR_PLLRDY, 0)) {
        return BENCH_CLOCK_ERR_PLL_OFF;
    }
    RCC_CR &= ~BENCH_RCC_CR_HSEON;
    return BENCH_CLOCK_RESET;
}

static uint32_t start_pll(void)
{
    uint32_t source = 0; /* PLLSRC = 0: HSI */
#if BENCH_CLOCK_USE_HSE
    if (!start_hse(&RCC_CR, BENCH_CLOCK_HSE_BYPASS)) {
        return BENCH_CLOCK_ERR_HSE;
    }
    source = PLLCFGR_SRC_HSE;
#endif
    RCC_PLLCFGR = (RCC_PLLCFGR & ~(PLLCFGR_M | PLLCFGR_N | PLLCFGR_P | PLLCFGR_SRC_HSE)) | source |
                  ((uint32_t)BENCH_CLOCK_PLL_M << 0) | ((uint32_t)BENCH_CLOCK_PLL_N << 6) |
                  ((uint32_t)BENCH_CLOCK_PLL_P_FIELD << 16); /* PLLQ (and PLLR) keep their reset values */
    RCC_CR |= CR_PLLON;
    if (!wait_for(&RCC_CR, CR_PLLRDY, CR_PLLRDY)) {
        return BENCH_CLOCK_ERR_PLL_LOCK;
    }
    return BENCH_CLOCK_PLL;
}

/* Out of line and global: a debugger can break on it, and `nm` tells a build that has clock code. */
uint32_t bench_clock_raise_stm32f4f7(void);

__attribute__((noinline)) uint32_t bench_clock_raise_stm32f4f7(void)
{
    uint32_t status = back_to_hsi();
    if (status != BENCH_CLOCK_RESET) {
        return status;
    }
    RCC_APB1ENR |= APB1ENR_PWREN;
    (void)RCC_APB1ENR; /* read back: the PWR clock runs before PWR is written */
    PWR_CR = (PWR_CR & ~PWR_CR_VOS) | ((uint32_t)BENCH_CLOCK_VOS_FIELD << 14); /* only while the PLL is off */
    status = start_pll();
    if (status != BENCH_CLOCK_PLL) {
        return status;
    }
#if BENCH_CLOCK_OVERDRIVE
    PWR_CR |= PWR_CR_ODEN;
    if (!wait_for(&PWR_CSR, PWR_CSR_ODRDY, PWR_CSR_ODRDY)) {
        return BENCH_CLOCK_ERR_OVERDRIVE;
    }
    PWR_CR |= PWR_CR_ODSWEN;
    if (!wait_for(&PWR_CSR, PWR_CSR_ODSWRDY, PWR_CSR_ODSWRDY)) {
        return BENCH_CLOCK_ERR_OVERDRIVE;
    }
#endif
    if (!wait_for(&PWR_CSR, PWR_CSR_VOSRDY, PWR_CSR_VOSRDY)) {
        return BENCH_CLOCK_ERR_VOS;
    }
    FLASH_ACR = (FLASH_ACR & ~ACR_LATENCY) | (uint32_t)BENCH_CLOCK_FLASH_LATENCY | ACR_ACCELERATOR;
    if ((FLASH_ACR & ACR_LATENCY) != (uint32_t)BENCH_CLOCK_FLASH_LATENCY) {
        return BENCH_CLOCK_ERR_FLASH;
    }
    RCC_CFGR = (RCC_CFGR & ~(CFGR_HPRE | CFGR_PPRE1 | CFGR_PPRE2)) | ((uint32_t)BENCH_CLOCK_HPRE_FIELD << 4) |
               ((uint32_t)BENCH_CLOCK_PPRE1_FIELD << 10) | ((uint32_t)BENCH_CLOCK_PPRE2_FIELD << 13);
    RCC_CFGR = (RCC_CFGR & ~CFGR_SW) | CFGR_SW_PLL;
    if (!wait_for(&RCC_CFGR, CFGR_SWS, CFGR_SWS_PLL)) {
        return BENCH_CLOCK_ERR_SWITCH_PLL;
    }
    return BENCH_CLOCK_PLL;
}

uint32_t bench_clock_setup(uint32_t *hz)
{
    uint32_t status = bench_clock_raise_stm32f4f7();
    if (status == BENCH_CLOCK_PLL) {
        *hz = BENCH_CLOCK_HZ;
    } else {
        *hz = back_to_hsi() == BENCH_CLOCK_RESET ? BENCH_CLOCK_HSI_HZ : 0u;
    }
    return status;
}
