/* alpn_testcert.c - see alpn_testcert.h. */
#include <string.h>

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "alpn_testcert.h"

#define ACME_ID_OID "1.3.6.1.5.5.7.1.31"

EVP_PKEY *
testcert_key(void)
{
	return EVP_EC_gen("P-256");
}

static bool
add_conf_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	bool ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e == NULL)
		return false;
	ok = X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

static bool
add_acme(X509 *x, const struct testcert_opts *o)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(ACME_ID_OID, 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	unsigned char der[34];
	bool ok = false;

	if (obj == NULL || v == NULL)
		goto out;
	der[0] = 0x04;
	der[1] = 0x20;
	memcpy(der + 2, o->digest, 32);
	if (!ASN1_OCTET_STRING_set(v, o->raw_value ? o->raw_value : der,
	    o->raw_value ? (int)o->raw_len : (int)sizeof(der)))
		goto out;
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, o->critical ? 1 : 0, v);
	ok = e != NULL && X509_add_ext(x, e, -1) == 1;
out:
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(obj);
	return ok;
}

X509 *
testcert_make(EVP_PKEY *key, const struct testcert_opts *o)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (x == NULL || X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL ||
	    X509_set_pubkey(x, key) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (o->cn != NULL && X509_NAME_add_entry_by_NID(name, NID_commonName,
	    MBSTRING_UTF8, (const unsigned char *)o->cn, -1, -1, 0) != 1)
		goto fail;
	if (X509_set_issuer_name(x, name) != 1)
		goto fail;
	if (o->san != NULL && !add_conf_ext(x, NID_subject_alt_name, o->san))
		goto fail;
	if (o->dup_ext && (!add_conf_ext(x, NID_basic_constraints, "CA:FALSE") ||
	    !add_conf_ext(x, NID_basic_constraints, "CA:FALSE")))
		goto fail;
	if (o->digest != NULL && (!add_acme(x, o) ||
	    (o->dup_acme && !add_acme(x, o))))
		goto fail;
	if (X509_sign(x, key, EVP_sha256()) == 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}
