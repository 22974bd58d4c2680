/* fuzz_dns_msg.c - DNS messages and rdata as libunbound hands them over,
 * and the denial-of-existence reader on their authority section. */
#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpic__dns_msg m;
	char buf[4096];
	size_t i;

	if (mpic__dns_msg_parse(data, size, &m) != 0)
		return 0;
	for (i = 0; i < m.n_an; i++) {
		const struct mpic__dns_rr *rr = &m.an[i];

		(void)mpic__dns_rdata_str(rr->type, rr->rdata, rr->rdlen, buf,
		    sizeof(buf));
		(void)mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf,
		    sizeof(buf));
		(void)mpic__dns_rdata_name(rr->rdata, rr->rdlen, buf,
		    sizeof(buf));
	}
	/* the denial reader sees the authority section of a DS answer */
	(void)mpic__dns_proves_unsigned_delegation(&m, m.qname);
	mpic__dns_msg_release(&m);
	return 0;
}
