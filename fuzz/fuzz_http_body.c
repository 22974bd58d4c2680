/*
 * fuzz_http_body.c - response bodies against the two HTTP matchers: the
 * first byte chooses case rules and whether a regular expression is used.
 */
#include <stddef.h>
#include <stdint.h>

#include "dcv/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data + 1;
	char why[256];
	bool matched;

	if (size == 0)
		return 0;
	(void)mpic__http01_match(body, size - 1,
	    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd");
	(void)mpic__website_match(body, size - 1,
	    "b462041bc92ef33e9a0ca12968948c61", data[0] & 1,
	    (data[0] & 2) ? "validation=[0-9a-f]{32}" : NULL, &matched, why,
	    sizeof(why));
	return 0;
}
