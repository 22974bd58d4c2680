/*
 * echo.c - caa_check_parameters / dcv_check_parameters as the response
 * echoes them: every field of the method with the defaults filled in, in
 * the shape Open MPIC's reference implementation serialises (fixed fields
 * such as acme-dns-01's dns_name_prefix included, unset optional ones as
 * null).  The CAA echo says what was applied: the spec types caa_domains
 * as an array, so the configured names stand in for absent ones.
 */
#include <string.h>

#include "api/api_int.h"

static int
set_str(json_t *o, const char *key, const char *val)
{
	return json_object_set_new(o, key,
	    val != NULL ? json_string(val) : json_null());
}

static int
set_bool(json_t *o, const char *key, bool val)
{
	return json_object_set_new(o, key, json_boolean(val));
}

static const char *
rtype_str(uint16_t t)
{
	switch (t) {
	case MPIC_RR_TXT: return "TXT";
	case MPIC_RR_CNAME: return "CNAME";
	case MPIC_RR_CAA: return "CAA";
	case MPIC_RR_A: return "A";
	case MPIC_RR_AAAA: return "AAAA";
	case MPIC_RR_PTR: return "PTR";
	default: return NULL;
	}
}

json_t *
mpic__request_echo_caa(const struct mpic_request *req,
		       const char *const *issuers, size_t n_issuers)
{
	const struct mpic_caa_params *p = &req->caa;
	const char *const *doms = p->caa_domains;
	size_t n = p->n_caa_domains;
	json_t *o = NULL, *list = NULL;
	size_t i;
	int rc = 0;

	if (req->check_type != MPIC_CHECK_CAA)
		return NULL;
	/* Not given (or empty): the configured names are the ones used, as
	 * the perspectives are told (caa_check.c, remote.c). */
	if (n == 0) {
		doms = issuers;
		n = issuers != NULL ? n_issuers : 0;
	}
	o = json_object();
	list = json_array();
	if (o == NULL || list == NULL)
		goto fail;
	rc |= set_str(o, "certificate_type",
	    p->cert_type == MPIC_CERT_SMIME ? "s-mime" : "tls-server");
	for (i = 0; i < n; i++)
		rc |= json_array_append_new(list, json_string(doms[i]));
	rc |= json_object_set_new(o, "caa_domains", list);
	list = NULL;
	rc |= set_bool(o, "allow_lookup_failure", p->allow_lookup_failure);
	if (p->account_uri != NULL)
		rc |= set_str(o, "account_uri", p->account_uri);
	if (p->validation_method != NULL)
		rc |= set_str(o, "validation_method", p->validation_method);
	if (rc != 0)
		goto fail;
	return o;
fail:
	json_decref(list);
	json_decref(o);
	return NULL;
}

static int
echo_headers(json_t *o, const struct mpic_dcv_params *d)
{
	json_t *h;
	size_t i;
	int rc = 0;

	if (d->n_headers == 0)
		return json_object_set_new(o, "http_headers", json_null());
	h = json_object();
	if (h == NULL)
		return -1;
	for (i = 0; i < d->n_headers; i++)
		rc |= json_object_set_new(h, d->headers[i].name,
		    json_string(d->headers[i].value));
	rc |= json_object_set_new(o, "http_headers", h);
	return rc;
}

/* _<label>._acme-challenge for dns-account-01 (the draft's label). */
static int
account_prefix(json_t *o, const char *account_uri)
{
	char prefix[64];

	if (account_uri == NULL ||
	    api__account_prefix(account_uri, prefix, sizeof(prefix)) != 0)
		return set_str(o, "dns_name_prefix", NULL);
	return set_str(o, "dns_name_prefix", prefix);
}

json_t *
mpic__request_echo_dcv(const struct mpic_request *req)
{
	const struct mpic_dcv_params *d = &req->dcv;
	json_t *o, *list;
	size_t i;
	int rc = 0;

	if (req->check_type != MPIC_CHECK_DCV)
		return NULL;
	o = json_object();
	if (o == NULL)
		return NULL;
	rc |= set_str(o, "validation_method", mpic__dcv_method_str(d->method));
	rc |= set_bool(o, "require_exact_case", d->require_exact_case);
	switch (d->method) {
	case MPIC_DCV_WEBSITE_CHANGE:
		rc |= set_str(o, "challenge_value", d->challenge_value);
		rc |= set_str(o, "http_token_path", d->http_token_path);
		rc |= set_str(o, "url_scheme",
		    d->url_scheme != NULL ? d->url_scheme : "http");
		rc |= echo_headers(o, d);
		rc |= set_str(o, "match_regex", d->match_regex);
		break;
	case MPIC_DCV_ACME_HTTP_01:
		rc |= set_str(o, "token", d->token);
		rc |= set_str(o, "key_authorization", d->key_authorization);
		rc |= echo_headers(o, d);
		break;
	case MPIC_DCV_ACME_DNS_01:
		rc |= set_str(o, "key_authorization_hash",
		    d->key_authorization_hash);
		rc |= set_str(o, "dns_record_type", "TXT");
		rc |= set_str(o, "dns_name_prefix", "_acme-challenge");
		break;
	case MPIC_DCV_ACME_TLS_ALPN_01:
		rc |= set_str(o, "key_authorization_hash",
		    d->key_authorization_hash);
		break;
	case MPIC_DCV_DNS_CHANGE:
		rc |= set_str(o, "challenge_value", d->challenge_value);
		rc |= set_str(o, "dns_name_prefix", d->dns_name_prefix);
		rc |= set_str(o, "dns_record_type",
		    rtype_str(d->dns_record_type));
		rc |= set_bool(o, "require_exact_match",
		    d->require_exact_match);
		break;
	case MPIC_DCV_DNS_PERSISTENT:
		rc |= set_str(o, "dns_record_type", "TXT");
		rc |= set_str(o, "dns_name_prefix", req->target.is_ip ?
		    "_ip-validation-persist" : "_validation-persist");
		list = json_array();
		for (i = 0; list != NULL && i < d->n_issuer_domain_names; i++)
			rc |= json_array_append_new(list,
			    json_string(d->issuer_domain_names[i]));
		rc |= json_object_set_new(o, "issuer_domain_names", list);
		rc |= set_str(o, "expected_account_uri",
		    d->expected_account_uri);
		break;
	case MPIC_DCV_DNS_ACCOUNT_01:
		rc |= set_str(o, "account_uri", d->account_uri);
		rc |= set_str(o, "key_authorization_hash",
		    d->key_authorization_hash);
		rc |= set_str(o, "dns_record_type", "TXT");
		rc |= account_prefix(o, d->account_uri);
		break;
	case MPIC_DCV_CONTACT_EMAIL_TXT:
	case MPIC_DCV_CONTACT_EMAIL_CAA:
	case MPIC_DCV_CONTACT_PHONE_TXT:
	case MPIC_DCV_CONTACT_PHONE_CAA:
	case MPIC_DCV_REVERSE_ADDRESS_LOOKUP:
	case MPIC_DCV_IP_ADDRESS:
		rc |= set_str(o, "challenge_value", d->challenge_value);
		if (d->method == MPIC_DCV_CONTACT_EMAIL_TXT)
			rc |= set_str(o, "dns_name_prefix",
			    "_validation-contactemail");
		else if (d->method == MPIC_DCV_CONTACT_PHONE_TXT)
			rc |= set_str(o, "dns_name_prefix",
			    "_validation-contactphone");
		else
			rc |= set_str(o, "dns_name_prefix", d->dns_name_prefix);
		rc |= set_str(o, "dns_record_type",
		    rtype_str(d->dns_record_type));
		break;
	default:
		break;
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
