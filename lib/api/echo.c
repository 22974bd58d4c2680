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

json_t *
mpic__request_echo_caa(const struct mpic__request *req,
		       const char *const *issuers, size_t n_issuers)
{
	const struct mpic__caa_params *p = &req->caa;
	const char *const *doms = p->caa_domains;
	size_t n = p->n_caa_domains;
	json_t *o = NULL, *list = NULL;
	size_t i;
	int rc = 0;

	if (req->check_type != MPIC__CHECK_CAA)
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
echo_headers(json_t *o, const struct mpic__dcv_params *d)
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

/*
 * The method's own fields, one function per shape of them (the row,
 * methods.c, names it); fixed fields come from the row's query.
 */
int
api__echo_website_change(json_t *o, const struct mpic__request *req,
			 const struct api_method *m)
{
	const struct mpic__dcv_params *d = &req->dcv;
	int rc = 0;

	rc |= set_str(o, "challenge_value", d->challenge_value);
	rc |= set_str(o, "http_token_path", d->http_token_path);
	rc |= set_str(o, "url_scheme",
	    d->url_scheme != NULL ? d->url_scheme : "http");
	rc |= echo_headers(o, d);
	rc |= set_str(o, "match_regex", d->match_regex);
	(void)m;
	return rc;
}

int
api__echo_acme_http(json_t *o, const struct mpic__request *req,
		    const struct api_method *m)
{
	const struct mpic__dcv_params *d = &req->dcv;
	int rc = 0;

	rc |= set_str(o, "token", d->token);
	rc |= set_str(o, "key_authorization", d->key_authorization);
	rc |= echo_headers(o, d);
	(void)m;
	return rc;
}

int
api__echo_acme_dns(json_t *o, const struct mpic__request *req,
		   const struct api_method *m)
{
	int rc = 0;

	rc |= set_str(o, "key_authorization_hash",
	    req->dcv.key_authorization_hash);
	rc |= set_str(o, "dns_record_type", api__rtype_str(m->query.rtype));
	rc |= set_str(o, "dns_name_prefix", m->query.prefix);
	return rc;
}

int
api__echo_tls_alpn(json_t *o, const struct mpic__request *req,
		   const struct api_method *m)
{
	(void)m;
	return set_str(o, "key_authorization_hash",
	    req->dcv.key_authorization_hash);
}

int
api__echo_dns_change(json_t *o, const struct mpic__request *req,
		     const struct api_method *m)
{
	const struct mpic__dcv_params *d = &req->dcv;
	int rc = 0;

	rc |= set_str(o, "challenge_value", d->challenge_value);
	rc |= set_str(o, "dns_name_prefix", d->dns_name_prefix);
	rc |= set_str(o, "dns_record_type", api__rtype_str(d->dns_record_type));
	rc |= set_bool(o, "require_exact_match", d->require_exact_match);
	(void)m;
	return rc;
}

int
api__echo_dns_persistent(json_t *o, const struct mpic__request *req,
			 const struct api_method *m)
{
	const struct mpic__dcv_params *d = &req->dcv;
	json_t *list;
	size_t i;
	int rc = 0;

	rc |= set_str(o, "dns_record_type", api__rtype_str(m->query.rtype));
	rc |= set_str(o, "dns_name_prefix", req->target.is_ip ?
	    m->query.ip_prefix : m->query.prefix);
	list = json_array();
	for (i = 0; list != NULL && i < d->n_issuer_domain_names; i++)
		rc |= json_array_append_new(list,
		    json_string(d->issuer_domain_names[i]));
	rc |= json_object_set_new(o, "issuer_domain_names", list);
	rc |= set_str(o, "expected_account_uri", d->expected_account_uri);
	return rc;
}

/* _<label>._acme-challenge for dns-account-01 (the draft's label). */
int
api__echo_dns_account(json_t *o, const struct mpic__request *req,
		      const struct api_method *m)
{
	const struct mpic__dcv_params *d = &req->dcv;
	char prefix[64];
	int rc = 0;

	rc |= set_str(o, "account_uri", d->account_uri);
	rc |= set_str(o, "key_authorization_hash", d->key_authorization_hash);
	rc |= set_str(o, "dns_record_type", api__rtype_str(m->query.rtype));
	if (d->account_uri == NULL || api__account_prefix(d->account_uri,
	    m->query.prefix, prefix, sizeof(prefix)) != 0)
		rc |= set_str(o, "dns_name_prefix", NULL);
	else
		rc |= set_str(o, "dns_name_prefix", prefix);
	return rc;
}

/* The contact methods, reverse-address-lookup and ip-address. */
int
api__echo_dns_value(json_t *o, const struct mpic__request *req,
		    const struct api_method *m)
{
	const struct mpic__dcv_params *d = &req->dcv;
	int rc = 0;

	rc |= set_str(o, "challenge_value", d->challenge_value);
	rc |= set_str(o, "dns_name_prefix", m->query.prefix != NULL ?
	    m->query.prefix : d->dns_name_prefix);
	rc |= set_str(o, "dns_record_type", api__rtype_str(d->dns_record_type));
	return rc;
}
