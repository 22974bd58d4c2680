/*
 * fuzz_url.c - URLs and Location values as an attacker's web server hands
 * them over: the first byte picks the base URL, the rest is a Location
 * value resolved against it and checked (scheme, port, host, length).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dcv/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bases[] = {
		"http://ok.web.lab/.well-known/acme-challenge/t",
		"https://ok.web.lab:443/a/b/c?q=1",
		"http://[3fff::5]/.well-known/pki-validation/x",
		"http://198.18.0.5:80/",
	};
	struct mpic__url u;
	char why[256], text[MPIC__HTTP_URL_MAX + 2];

	if (size == 0)
		return 0;
	(void)mpic__url_redirect(bases[data[0] % 4], (const char *)data + 1,
	    size - 1, &u, why, sizeof(why));
	if (size - 1 < sizeof(text)) {
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		(void)mpic__url_check(text, &u, why, sizeof(why));
	}
	return 0;
}
