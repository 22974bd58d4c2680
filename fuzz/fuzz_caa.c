/*
 * fuzz_caa.c - libFuzzer harness for lib/caa: CAA rdata parsing and
 * presentation, the issue-value grammar, the decision on a record set,
 * and the persistent TXT value that shares the grammar.
 *
 * The input is used three ways: as one CAA rdata; as one issue value
 * (and persistent TXT value); and as a record set of length-prefixed
 * rdata (one length byte, then that many bytes), decided for several
 * queries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"
#include "caa/caa.h"

#define FUZZ_MAX_SET 32

static const char *const fuzz_issuers[] = { "ca.example", "CA2.example." };

static void
fuzz_check(bool cond)
{
	if (!cond)
		abort();
}

/* rr_str into buffers of several sizes: a result is all or nothing. */
static void
fuzz_rr_str(const struct mpic__caa_rr *rr)
{
	/* Worst case: every value byte as \DDD, plus the tag and quotes. */
	static char big[4 * 65536 + 4 * MPIC__CAA_TAG_MAX + 64];
	char small[24];
	int rc;

	rc = mpic__caa_rr_str(rr, big, sizeof(big));
	fuzz_check(rc == 0 && strlen(big) < sizeof(big));
	rc = mpic__caa_rr_str(rr, small, sizeof(small));
	fuzz_check(rc == 0 || rc == MPIC_ETOOBIG);
	if (rc == 0)
		fuzz_check(strcmp(small, big) == 0);
	else
		fuzz_check(small[0] == '\0');
}

static void
fuzz_issue_value(const uint8_t *v, size_t len)
{
	struct mpic__caa_issue_value iv;
	size_t i;

	fuzz_check(mpic__caa_issue_value_parse(v, len, &iv) == 0);
	fuzz_check(iv.n_params <= MPIC__CAA_MAX_PARAMS);
	fuzz_check(strlen(iv.issuer) <= MPIC__NAME_MAX);
	if (!iv.valid)
		fuzz_check(iv.issuer[0] == '\0' && iv.n_params == 0);
	for (i = 0; iv.issuer[i] != '\0'; i++)
		fuzz_check(iv.issuer[i] < 'A' || iv.issuer[i] > 'Z');
	for (i = 0; i < iv.n_params; i++) {
		fuzz_check(strlen(iv.params[i].tag) > 0);
		fuzz_check(strlen(iv.params[i].tag) < sizeof(iv.params[i].tag));
		fuzz_check(strlen(iv.params[i].value) <
		    sizeof(iv.params[i].value));
	}
}

/* The value as a persistent TXT (BR 3.2.2.4.22): the reason buffer never
 * changes the verdict, and a reason always fits. */
static void
fuzz_persist(const uint8_t *v, size_t len)
{
	struct mpic__persist_query q;
	char why[256], tiny[4];
	bool a, b;
	int w;

	for (w = 0; w < 2; w++) {
		memset(&q, 0, sizeof(q));
		q.issuer_domains = fuzz_issuers;
		q.n_issuers = 2;
		q.account_uri = "https://ca.example/acct/1";
		q.is_wildcard = w != 0;
		q.now = 1795392000;
		a = mpic__persist_value_ok(v, len, &q, why, sizeof(why));
		fuzz_check(why[0] != '\0' && strlen(why) < sizeof(why));
		b = mpic__persist_value_ok(v, len, &q, tiny, sizeof(tiny));
		fuzz_check(a == b);
		b = mpic__persist_value_ok(v, len, &q, NULL, 0);
		fuzz_check(a == b);
	}
}

static void
fuzz_decide(const struct mpic__caa_rr *set, size_t n)
{
	struct mpic__caa_query q;
	char reason[256], tiny[4];
	bool a, b;
	int v;

	for (v = 0; v < 6; v++) {
		memset(&q, 0, sizeof(q));
		q.issuer_domains = fuzz_issuers;
		q.n_issuers = 2;
		q.is_wildcard = (v & 1) != 0;
		q.cert_type = v >= 4 ? MPIC_CERT_SMIME : MPIC__CERT_TLS_SERVER;
		if (v >= 2) {
			q.account_uri = "https://ca.example/acct/1";
			q.validation_method = "dns-01";
		}
		a = mpic__caa_permits(set, n, &q, reason, sizeof(reason));
		fuzz_check(strlen(reason) < sizeof(reason));
		/* The reason buffer never changes the decision. */
		b = mpic__caa_permits(set, n, &q, tiny, sizeof(tiny));
		fuzz_check(a == b);
		b = mpic__caa_permits(set, n, &q, NULL, 0);
		fuzz_check(a == b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpic__caa_rr one, set[FUZZ_MAX_SET];
	size_t off = 0, n = 0, rlen;

	if (size > 65535)
		return 0;

	if (mpic__caa_rr_parse(data, size, &one) == 0) {
		fuzz_check(one.value >= data && one.value + one.value_len ==
		    data + size);
		fuzz_rr_str(&one);
		fuzz_issue_value(one.value, one.value_len);
		fuzz_decide(&one, 1);
	}
	fuzz_issue_value(data, size);
	fuzz_persist(data, size);

	/* A set: [len][rdata] ...; records that do not parse are skipped. */
	while (off < size && n < FUZZ_MAX_SET) {
		rlen = data[off++];
		if (rlen > size - off)
			rlen = size - off;
		if (mpic__caa_rr_parse(data + off, rlen, &set[n]) == 0)
			n++;
		off += rlen;
	}
	fuzz_decide(set, n);
	return 0;
}
