/*
 * te-gen verify: the host runner. For every case folder given on the command line it reads
 * input_<i>.bin, runs @PREFIX@_invoke() and writes output_<i>.bin; built with -DTE_DEBUG_DUMP
 * it also writes each operator's output to dump/op_<index>.bin and lists them in dump/index.txt.
 * Exit status: 0 ok, 1 an invoke failed, 2 a file could not be read or written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "@PREFIX@.h"

static const size_t input_bytes[] = {@INPUT_BYTES@};
static const size_t output_bytes[] = {@OUTPUT_BYTES@};
#define NUM_INPUTS (sizeof(input_bytes) / sizeof(input_bytes[0]))
#define NUM_OUTPUTS (sizeof(output_bytes) / sizeof(output_bytes[0]))

static const char *current_case;

static int read_file(const char *path, void *data, size_t bytes)
{
    FILE *f = fopen(path, "rb");
    size_t got;
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 0;
    }
    got = fread(data, 1, bytes, f);
    fclose(f);
    if (got != bytes) {
        fprintf(stderr, "%s: expected %lu bytes, read %lu\n", path, (unsigned long)bytes, (unsigned long)got);
        return 0;
    }
    return 1;
}

static int write_file(const char *path, const void *data, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (f == NULL) {
        fprintf(stderr, "%s: cannot create\n", path);
        return 0;
    }
    ok = fwrite(data, 1, bytes, f) == bytes;
    return fclose(f) == 0 && ok;
}

#ifdef TE_DEBUG_DUMP
void @PREFIX@_debug_dump(int op_index, const char *tensor_name, const void *data, size_t bytes)
{
    char path[4096];
    FILE *index;
    snprintf(path, sizeof(path), "%s/dump/op_%d.bin", current_case, op_index);
    if (!write_file(path, data, bytes)) {
        exit(2);
    }
    snprintf(path, sizeof(path), "%s/dump/index.txt", current_case);
    index = fopen(path, "a");
    if (index == NULL) {
        exit(2);
    }
    fprintf(index, "%d %lu %s\n", op_index, (unsigned long)bytes, tensor_name);
    fclose(index);
}
#endif

static int run_case(const char *dir)
{
    char path[4096];
    size_t i;
    int rc;
    current_case = dir;
    for (i = 0; i < NUM_INPUTS; ++i) {
        snprintf(path, sizeof(path), "%s/input_%lu.bin", dir, (unsigned long)i);
        if (!read_file(path, @PREFIX@_input((int)i), input_bytes[i])) {
            return 2;
        }
    }
    rc = @PREFIX@_invoke();
    if (rc != 0) {
        fprintf(stderr, "%s: invoke failed at operator %d\n", dir, rc - 1);
        return 1;
    }
    for (i = 0; i < NUM_OUTPUTS; ++i) {
        snprintf(path, sizeof(path), "%s/output_%lu.bin", dir, (unsigned long)i);
        if (!write_file(path, @PREFIX@_output((int)i), output_bytes[i])) {
            return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; ++i) {
        int rc = run_case(argv[i]);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
