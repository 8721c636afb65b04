/* Harness output: hex lines on stdout (host) or through Arm semihosting (QEMU). */
#include "te_harness_io.h"

#if defined(TE_HARNESS_SEMIHOSTING)
static int te_semihost(int op, const void *arg)
{
    register int r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void te_harness_write(const char *text)
{
    (void)te_semihost(0x04, text); /* SYS_WRITE0 */
}

void te_harness_exit(int code)
{
    static uint32_t block[2];
    block[0] = 0x20026u; /* ADP_Stopped_ApplicationExit */
    block[1] = (uint32_t)code;
    (void)te_semihost(0x20, block); /* SYS_EXIT_EXTENDED */
    for (;;) {
    }
}
#else
#include <stdio.h>
#include <stdlib.h>

void te_harness_write(const char *text)
{
    fputs(text, stdout);
}

void te_harness_exit(int code)
{
    fflush(stdout);
    exit(code);
}
#endif

static void te_put_int(char *buf, size_t *pos, int value)
{
    char tmp[12];
    int n = 0;
    unsigned int u = value < 0 ? 0u - (unsigned int)value : (unsigned int)value;
    if (value < 0) {
        buf[(*pos)++] = '-';
    }
    do {
        tmp[n++] = (char)('0' + (u % 10u));
        u /= 10u;
    } while (u != 0u);
    while (n > 0) {
        buf[(*pos)++] = tmp[--n];
    }
}

void te_harness_emit(int index, int status, int guard_ok, const void *data, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    static char line[1040];
    const uint8_t *bytes = (const uint8_t *)data;
    size_t pos = 0;
    size_t i;
    const char *head = "TE-CASE ";
    while (*head) {
        line[pos++] = *head++;
    }
    te_put_int(line, &pos, index);
    line[pos++] = ' ';
    te_put_int(line, &pos, status);
    line[pos++] = ' ';
    te_put_int(line, &pos, guard_ok);
    line[pos++] = ' ';
    for (i = 0; i < nbytes; ++i) {
        line[pos++] = hex[bytes[i] >> 4];
        line[pos++] = hex[bytes[i] & 15u];
        if (pos >= sizeof(line) - 8) { /* flush long outputs in chunks of one line */
            line[pos] = '\0';
            te_harness_write(line);
            pos = 0;
        }
    }
    line[pos++] = '\n';
    line[pos] = '\0';
    te_harness_write(line);
}
