/*
 * fuzz_request.c - libFuzzer harness for lib/api: the POST /mpic body.
 *
 * The input is parsed as a request body.  A refused body must come with
 * issues and a 400 body that is valid JSON.  An accepted one must have a
 * sane target, and its echo, sent back as a request with the normalised
 * target, must be accepted again and echo the same (the echo is a fixed
 * point).  The first line of the input is also parsed as a bare target:
 * a normalised target parses to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/util.h"
#include "dns/dns.h"
#include "api/model.h"

static void
fuzz_check(bool cond)
{
	if (!cond)
		abort();
}

static void
fuzz_target(const uint8_t *data, size_t size)
{
	struct mpic__target t, t2;
	const uint8_t *nl = memchr(data, '\n', size);
	char err[128], rev[128];
	size_t i;

	if (nl != NULL)
		size = (size_t)(nl - data);
	if (mpic__target_parse((const char *)data, size, &t, err,
	    sizeof(err)) != 0) {
		fuzz_check(strlen(err) > 0);
		return;
	}
	fuzz_check(t.name[0] != '\0' && strlen(t.name) <= MPIC__NAME_MAX);
	for (i = 0; t.name[i] != '\0'; i++)
		fuzz_check(!(t.name[i] >= 'A' && t.name[i] <= 'Z'));
	fuzz_check(mpic__target_parse(t.name, strlen(t.name), &t2, err,
	    sizeof(err)) == 0);
	fuzz_check(strcmp(t.name, t2.name) == 0);
	fuzz_check(t.is_ip == t2.is_ip && t.is_wildcard == t2.is_wildcard);
	fuzz_check(mpic__name_eq(t.name, t2.name));
	fuzz_check(strcmp(mpic__target_base(&t), t.name) == 0 ||
	    t.is_wildcard);
	if (t.is_ip)
		fuzz_check(mpic__reverse_name(t.af, t.addr, rev,
		    sizeof(rev)) == 0);
}

static void
fuzz_refused(const struct mpic__issues *is)
{
	json_error_t e;
	json_t *j;
	char *body;

	fuzz_check(is->n > 0 && is->n <= MPIC__MAX_ISSUES);
	body = mpic__issues_body(is);
	fuzz_check(body != NULL);
	j = json_loads(body, 0, &e);
	fuzz_check(j != NULL);
	fuzz_check(json_array_size(json_object_get(j,
	    "validation_issues")) == is->n);
	json_decref(j);
	mpic__free(body);
}

/* Echo, then send the echo back: it must be accepted, echoing the same
 * (a CAA echo names the configured issuers when the request gave none). */
static void
fuzz_roundtrip(const struct mpic__request *req)
{
	static const char *const issuers[] = {"ca.example"};
	struct mpic__request again;
	struct mpic__issues is;
	json_t *echo, *echo2, *body;
	char *text;
	bool dcv = req->check_type == MPIC_CHECK_DCV;

	echo = dcv ? mpic__request_echo_dcv(req) :
	    mpic__request_echo_caa(req, issuers, 1);
	fuzz_check(echo != NULL);
	fuzz_check((dcv ? mpic__request_echo_caa(req, issuers, 1) :
	    mpic__request_echo_dcv(req)) == NULL);
	body = json_pack("{s:s, s:s, s:O}", "check_type", dcv ? "dcv" : "caa",
	    "domain_or_ip_target", req->target.name,
	    dcv ? "dcv_check_parameters" : "caa_check_parameters", echo);
	fuzz_check(body != NULL);
	text = json_dumps(body, JSON_COMPACT);
	fuzz_check(text != NULL);
	fuzz_check(mpic__request_parse(text, strlen(text), &again, &is) == 0);
	fuzz_check(strcmp(again.target.name, req->target.name) == 0);
	echo2 = dcv ? mpic__request_echo_dcv(&again) :
	    mpic__request_echo_caa(&again, issuers, 1);
	fuzz_check(json_equal(echo, echo2));
	json_decref(echo2);
	mpic__request_release(&again);
	free(text);
	json_decref(body);
	json_decref(echo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpic__request req;
	struct mpic__issues is;
	int rc;

	fuzz_target(data, size);
	rc = mpic__request_parse((const char *)data, size, &req, &is);
	if (rc != 0) {
		fuzz_check(rc == MPIC_EINVAL || rc == MPIC_ETOOBIG);
		fuzz_check(req.raw == NULL);
		fuzz_refused(&is);
		return 0;
	}
	fuzz_check(is.n == 0 && req.raw != NULL);
	fuzz_check(req.target.name[0] != '\0');
	if (req.check_type == MPIC_CHECK_DCV) {
		fuzz_check(mpic__dcv_method_str(req.dcv.method) != NULL);
		fuzz_check(mpic__dcv_method_br(req.dcv.method,
		    req.target.is_ip) != NULL);
	}
	fuzz_roundtrip(&req);
	mpic__request_release(&req);
	return 0;
}
