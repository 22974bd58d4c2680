/* fuzz_dns_msg.c - DNS messages and rdata as libunbound hands them over. */
#include <stddef.h>
#include <stdint.h>

#include "mpic_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpic_dns_msg m;
	char buf[4096];
	size_t i;

	if (mpic__dns_msg_parse(data, size, &m) != 0)
		return 0;
	for (i = 0; i < m.n_an; i++) {
		const struct mpic_dns_rr *rr = &m.an[i];

		(void)mpic__dns_rdata_str(rr->type, rr->rdata, rr->rdlen, buf,
		    sizeof(buf));
		(void)mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf,
		    sizeof(buf));
		(void)mpic__dns_rdata_name(rr->rdata, rr->rdlen, buf,
		    sizeof(buf));
	}
	mpic__dns_msg_release(&m);
	return 0;
}
