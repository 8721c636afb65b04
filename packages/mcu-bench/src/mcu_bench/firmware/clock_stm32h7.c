/*
 * mcu-bench: clock set-up for STM32H742/H743/H750/H753 (RM0433), registers written directly, no
 * vendor SDK. Built only for a real board whose file has a `clock:` recipe; mcu_bench/boards/clock.py
 * checks the recipe and passes its numbers as BENCH_CLOCK_* defines.
 *
 * Order:
 *   1. back to the reset state: HSI on at 64 MHz, SYSCLK from HSI, PLL1 and HSE off, dividers /1
 *   2. supply configuration: LDO (PWR_CR3 is written once after power-on), wait ACTVOSRDY
 *   3. regulator scale: VOS1..3 in PWR_D3CR, wait VOSRDY; VOS0 = VOS1 then SYSCFG ODEN, wait VOSRDY
 *   4. HSE on if the recipe uses it; PLL1: source, DIVM1, input range, VCO range, N and P; PLL1 on,
 *      wait for lock
 *   5. flash wait states and WRHIGHFREQ, read back, BEFORE the clock rises
 *   6. D1CPRE (CPU), HPRE (AXI/AHB), APB prescalers; then SYSCLK from PLL1, wait until SWS says so
 * Every wait is bounded. A step that times out returns its BENCH_CLOCK_ERR_* code and the core
 * goes back to HSI (64 MHz), so the bench still runs and the result says what happened.
 */
#include <stdint.h>

#include "bench_clock_wait.h"
#include "bench_platform.h"

#define REG(address) (*(volatile uint32_t *)(address))
#define RCC_CR REG(0x58024400u)
#define RCC_CFGR REG(0x58024410u)
#define RCC_D1CFGR REG(0x58024418u)
#define RCC_D2CFGR REG(0x5802441Cu)
#define RCC_D3CFGR REG(0x58024420u)
#define RCC_PLLCKSELR REG(0x58024428u)
#define RCC_PLLCFGR REG(0x5802442Cu)
#define RCC_PLL1DIVR REG(0x58024430u)
#define RCC_APB4ENR REG(0x580244F4u)
#define PWR_CSR1 REG(0x58024804u)
#define PWR_CR3 REG(0x5802480Cu)
#define PWR_D3CR REG(0x58024818u)
#define SYSCFG_PWRCR REG(0x5800042Cu)
#define FLASH_ACR REG(0x52002000u)

#define CR_HSION (1u << 0)
#define CR_HSIRDY (1u << 2)
#define CR_HSIDIV (0x3u << 3)
#define CR_HSIDIVF (1u << 5)
#define CR_PLL1ON (1u << 24)
#define CR_PLL1RDY (1u << 25)
#define CFGR_SW (0x7u << 0)
#define CFGR_SW_PLL1 (0x3u << 0)
#define CFGR_SWS (0x7u << 3)
#define CFGR_SWS_PLL1 (0x3u << 3)
#define D1CFGR_MASK ((0xFu << 8) | (0x7u << 4) | (0xFu << 0)) /* D1CPRE, D1PPRE, HPRE */
#define D2CFGR_MASK ((0x7u << 8) | (0x7u << 4))               /* D2PPRE2, D2PPRE1 */
#define D3CFGR_MASK (0x7u << 4)                               /* D3PPRE */
#define PLLCKSELR_SRC (0x3u << 0)
#define PLLCKSELR_SRC_HSE (0x2u << 0)
#define PLLCKSELR_DIVM1 (0x3Fu << 4)
#define PLLCFGR_PLL1 ((0x3u << 2) | (1u << 1) | (1u << 0)) /* PLL1RGE, PLL1VCOSEL, PLL1FRACEN */
#define PLLCFGR_DIVP1EN (1u << 16)
#define APB4ENR_SYSCFGEN (1u << 1)
#define CSR1_ACTVOSRDY (1u << 13)
#define CR3_SUPPLY ((1u << 2) | (1u << 1) | (1u << 0)) /* SCUEN, LDOEN, BYPASS */
#define CR3_SCUEN (1u << 2)
#define CR3_LDOEN (1u << 1)
#define D3CR_VOS (0x3u << 14)
#define D3CR_VOSRDY (1u << 13)
#define PWRCR_ODEN (1u << 0)
#define ACR_LATENCY (0xFu << 0)
#define ACR_WRHIGHFREQ (0x3u << 4)
#define ACR_VALUE (((uint32_t)BENCH_CLOCK_FLASH_WRHIGHFREQ << 4) | (uint32_t)BENCH_CLOCK_FLASH_LATENCY)

/* HSI at 64 MHz as SYSCLK, PLL1 and HSE off, every divider /1: the state reset leaves. */
static uint32_t back_to_hsi(void)
{
    RCC_CR |= CR_HSION;
    if (!wait_for(&RCC_CR, CR_HSIRDY, CR_HSIRDY)) {
        return BENCH_CLOCK_ERR_HSI;
    }
    RCC_CFGR &= ~CFGR_SW; /* SW = 000: HSI */
    if (!wait_for(&RCC_CFGR, CFGR_SWS, 0)) {
        return BENCH_CLOCK_ERR_SWITCH_HSI;
    }
    RCC_CR &= ~CR_PLL1ON;
    if (!wait_for(&RCC_CR, CR_PLL1RDY, 0)) {
        return BENCH_CLOCK_ERR_PLL_OFF;
    }
    RCC_CR &= ~(BENCH_RCC_CR_HSEON | CR_HSIDIV); /* HSIDIV = 00: 64 MHz */
    if (!wait_for(&RCC_CR, CR_HSIDIVF, CR_HSIDIVF)) {
        return BENCH_CLOCK_ERR_HSIDIV;
    }
    RCC_D1CFGR &= ~D1CFGR_MASK;
    RCC_D2CFGR &= ~D2CFGR_MASK;
    RCC_D3CFGR &= ~D3CFGR_MASK;
    return BENCH_CLOCK_RESET;
}

/* LDO supply and the recipe's regulator scale. */
static uint32_t raise_voltage(void)
{
    uint32_t cr3 = PWR_CR3;
    if (cr3 & CR3_SCUEN) {
        PWR_CR3 = (cr3 & ~CR3_SUPPLY) | CR3_LDOEN; /* write-once until the next power-on */
    } else if ((cr3 & CR3_SUPPLY) != CR3_LDOEN) {
        return BENCH_CLOCK_ERR_SUPPLY; /* locked in another configuration since power-on */
    }
    if (!wait_for(&PWR_CSR1, CSR1_ACTVOSRDY, CSR1_ACTVOSRDY)) {
        return BENCH_CLOCK_ERR_SUPPLY;
    }
    PWR_D3CR = (PWR_D3CR & ~D3CR_VOS) | ((uint32_t)BENCH_CLOCK_VOS_FIELD << 14);
    if (!wait_for(&PWR_D3CR, D3CR_VOSRDY, D3CR_VOSRDY)) {
        return BENCH_CLOCK_ERR_VOS;
    }
#if BENCH_CLOCK_VOS == 0
    RCC_APB4ENR |= APB4ENR_SYSCFGEN;
    (void)RCC_APB4ENR; /* read back: SYSCFG's clock runs before SYSCFG is written */
    SYSCFG_PWRCR |= PWRCR_ODEN;
    if (!wait_for(&PWR_D3CR, D3CR_VOSRDY, D3CR_VOSRDY)) {
        return BENCH_CLOCK_ERR_OVERDRIVE;
    }
#endif
    return BENCH_CLOCK_RESET;
}

static uint32_t start_pll1(void)
{
    uint32_t source = 0; /* PLLSRC = 00: HSI */
#if BENCH_CLOCK_USE_HSE
    if (!start_hse(&RCC_CR, BENCH_CLOCK_HSE_BYPASS)) {
        return BENCH_CLOCK_ERR_HSE;
    }
    source = PLLCKSELR_SRC_HSE;
#endif
    RCC_PLLCKSELR = (RCC_PLLCKSELR & ~(PLLCKSELR_SRC | PLLCKSELR_DIVM1)) | source |
                    ((uint32_t)BENCH_CLOCK_PLL_M << 4);
    RCC_PLLCFGR = (RCC_PLLCFGR & ~PLLCFGR_PLL1) | ((uint32_t)BENCH_CLOCK_PLL_RGE << 2) |
                  ((uint32_t)BENCH_CLOCK_PLL_VCOSEL << 1) | PLLCFGR_DIVP1EN; /* integer mode */
    RCC_PLL1DIVR = ((uint32_t)(BENCH_CLOCK_PLL_N - 1) << 0) | ((uint32_t)(BENCH_CLOCK_PLL_P - 1) << 9) |
                   (1u << 16) | (1u << 24); /* DIVQ1 = DIVR1 = 2, as at reset */
    RCC_CR |= CR_PLL1ON;
    if (!wait_for(&RCC_CR, CR_PLL1RDY, CR_PLL1RDY)) {
        return BENCH_CLOCK_ERR_PLL_LOCK;
    }
    return BENCH_CLOCK_PLL;
}

/* Out of line and global: a debugger can break on it, and `nm` tells a build that has clock code. */
uint32_t bench_clock_raise_stm32h7(void);

__attribute__((noinline)) uint32_t bench_clock_raise_stm32h7(void)
{
    uint32_t status = back_to_hsi();
    if (status == BENCH_CLOCK_RESET) {
        status = raise_voltage();
    }
    if (status == BENCH_CLOCK_RESET) {
        status = start_pll1();
    }
    if (status != BENCH_CLOCK_PLL) {
        return status;
    }
    FLASH_ACR = (FLASH_ACR & ~(ACR_LATENCY | ACR_WRHIGHFREQ)) | ACR_VALUE;
    if ((FLASH_ACR & (ACR_LATENCY | ACR_WRHIGHFREQ)) != ACR_VALUE) {
        return BENCH_CLOCK_ERR_FLASH;
    }
    RCC_D1CFGR = (RCC_D1CFGR & ~D1CFGR_MASK) | ((uint32_t)BENCH_CLOCK_D1CPRE_FIELD << 8) |
                 ((uint32_t)BENCH_CLOCK_D1PPRE_FIELD << 4) | (uint32_t)BENCH_CLOCK_HPRE_FIELD;
    RCC_D2CFGR = (RCC_D2CFGR & ~D2CFGR_MASK) | ((uint32_t)BENCH_CLOCK_D2PPRE2_FIELD << 8) |
                 ((uint32_t)BENCH_CLOCK_D2PPRE1_FIELD << 4);
    RCC_D3CFGR = (RCC_D3CFGR & ~D3CFGR_MASK) | ((uint32_t)BENCH_CLOCK_D3PPRE_FIELD << 4);
    RCC_CFGR = (RCC_CFGR & ~CFGR_SW) | CFGR_SW_PLL1;
    if (!wait_for(&RCC_CFGR, CFGR_SWS, CFGR_SWS_PLL1)) {
        return BENCH_CLOCK_ERR_SWITCH_PLL;
    }
    return BENCH_CLOCK_PLL;
}

uint32_t bench_clock_setup(uint32_t *hz)
{
    uint32_t status = bench_clock_raise_stm32h7();
    if (status == BENCH_CLOCK_PLL) {
        *hz = BENCH_CLOCK_HZ;
    } else {
        *hz = back_to_hsi() == BENCH_CLOCK_RESET ? BENCH_CLOCK_HSI_HZ : 0u;
    }
    return status;
}
