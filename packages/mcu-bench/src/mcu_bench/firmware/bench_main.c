/*
 * mcu-bench: the bench main. Brings the core to the board's clock (bench_clock_setup: the
 * board's clock recipe, or nothing on an emulated machine), copies the golden input into the
 * model, runs BENCH_WARMUP untimed and BENCH_REPEAT timed inferences, then fills
 * `mcu_bench_result` and hands it to the runner. The model-specific part (API prefix, sizes, golden input) comes from the
 * generated bench_model.h.
 */
#include <stdint.h>
#include <string.h>

#include "bench_model.h"
#include "bench_platform.h"

volatile bench_result mcu_bench_result;
uint8_t mcu_bench_output[BENCH_OUTPUT_TOTAL];

static void load_inputs(void)
{
    for (int i = 0; i < BENCH_NUM_INPUTS; ++i) {
        memcpy(BENCH_INPUT(i), bench_inputs[i].data, bench_inputs[i].bytes);
    }
}

static uint32_t copy_outputs(void)
{
    uint32_t offset = 0;
    for (int i = 0; i < BENCH_NUM_OUTPUTS; ++i) {
        memcpy(&mcu_bench_output[offset], BENCH_OUTPUT(i), bench_output_bytes[i]);
        offset += bench_output_bytes[i];
    }
    return offset;
}

static uint32_t fnv1a(const uint8_t *bytes, uint32_t n)
{
    uint32_t hash = 2166136261u;
    for (uint32_t i = 0; i < n; ++i) {
        hash = (hash ^ bytes[i]) * 16777619u;
    }
    return hash;
}

static int invoke_failed(int rc)
{
    if (rc == 0) {
        return 0;
    }
    mcu_bench_result.status = BENCH_STATUS_INVOKE_FAILED;
    mcu_bench_result.invoke_rc = rc;
    return 1;
}

int main(void)
{
    volatile bench_result *r = &mcu_bench_result;
    r->magic = BENCH_MAGIC;
    r->version = BENCH_VERSION;
    r->status = BENCH_STATUS_RUNNING;
    uint32_t clock_hz = 0;
    r->clock_status = bench_clock_setup(&clock_hz);
    r->clock_hz = clock_hz;
    r->warmup = BENCH_WARMUP;
    r->repeat = BENCH_REPEAT;
    r->counter = bench_timer_start();

    int failed = 0;
    for (uint32_t i = 0; i < BENCH_WARMUP && !failed; ++i) {
        load_inputs();
        failed = invoke_failed(BENCH_INVOKE());
    }
    uint64_t total = 0;
    uint32_t fastest = UINT32_MAX, slowest = 0;
    for (uint32_t i = 0; i < BENCH_REPEAT && !failed; ++i) {
        load_inputs();
        uint64_t start = bench_now();
        int rc = BENCH_INVOKE();
        uint32_t ticks = (uint32_t)(bench_now() - start);
        failed = invoke_failed(rc);
        total += ticks;
        fastest = ticks < fastest ? ticks : fastest;
        slowest = ticks > slowest ? ticks : slowest;
    }

    uint32_t n_out = copy_outputs();
    r->ticks_min = BENCH_REPEAT ? fastest : 0;
    r->ticks_max = slowest;
    r->ticks_total_lo = (uint32_t)total;
    r->ticks_total_hi = (uint32_t)(total >> 32);
    r->stack_size = bench_stack_size();
    r->stack_used = bench_stack_used();
    r->output_bytes = n_out;
    r->output_checksum = fnv1a(mcu_bench_output, n_out);
    r->output_addr = (uint32_t)(uintptr_t)mcu_bench_output;
    if (!failed) {
        r->status = BENCH_STATUS_OK;
    }
    bench_finish(mcu_bench_output, n_out);
    return 0;
}
