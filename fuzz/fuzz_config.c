/*
 * fuzz_config.c - libFuzzer harness for the configuration parser
 * (mpic_config_parse: libfyaml document walk, validation, BR check).
 * File names in the input (hash_secret_file) may be opened; the parser
 * only reads regular files and at most a few KiB of them.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpic_config *cfg = NULL;
	char err[256];

	if (mpic_config_parse((const char *)data, size, "fuzz.yaml", &cfg,
	    err, sizeof(err)) == 0) {
		/* 2026-12-15, the last phase, and the first one. */
		mpic_config_check_br(cfg, (time_t)1797292800, err,
		    sizeof(err));
		mpic_config_check_br(cfg, (time_t)0, err, sizeof(err));
	}
	mpic_config_free(cfg);
	return 0;
}
