/* Output of the kernel test harness: one line per case, the same on host and on QEMU. */
#ifndef TE_HARNESS_IO_H
#define TE_HARNESS_IO_H

#include <stddef.h>
#include <stdint.h>

/* Writes a NUL-terminated string (host: stdout; QEMU: semihosting SYS_WRITE0). */
void te_harness_write(const char *text);
/* Ends the program with an exit code (QEMU: semihosting SYS_EXIT_EXTENDED). */
void te_harness_exit(int code);
/* Emits "TE-CASE <index> <status> <guard_ok> <hex bytes>\n". */
void te_harness_emit(int index, int status, int guard_ok, const void *data, size_t nbytes);

#endif
