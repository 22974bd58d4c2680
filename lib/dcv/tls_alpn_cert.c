/*
 * tls_alpn_cert.c - the certificate rules of acme-tls-alpn-01 (RFC 8737
 * 3, RFC 8738 6).  Pure functions over an X509: the unit tests feed them
 * certificates built in memory.
 *
 * The certificate is the server's word and nothing more: the chain is
 * never verified, so every field is treated as hostile input.  Names are
 * compared with their lengths (an IA5String may hold a NUL), and what we
 * copy into the evidence is bounded and made printable.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "dcv/tls_alpn.h"

#define EVIDENCE_MAX 256   /* longest string copied into the details */
#define SAN_LIST_MAX 16    /* SAN entries listed in the details */

/* Printable copy of untrusted bytes: other octets become '?'. */
static void
printable(const unsigned char *s, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (outlen == 0)
		return;
	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[n] = '\0';
}

/* "DNS:name", "IP:addr" or the kind of entry, for the evidence. */
static void
san_text(const GENERAL_NAME *g, char *out, size_t outlen)
{
	char buf[EVIDENCE_MAX], ip[INET6_ADDRSTRLEN];
	const ASN1_STRING *s;
	int len;

	switch (g->type) {
	case GEN_DNS:
		s = g->d.dNSName;
		printable(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s),
		    buf, sizeof(buf));
		mpic__bufprintf(out, outlen, "DNS:%s", buf);
		return;
	case GEN_IPADD:
		s = g->d.iPAddress;
		len = ASN1_STRING_length(s);
		if ((len == 4 || len == 16) && inet_ntop(len == 4 ? AF_INET :
		    AF_INET6, ASN1_STRING_get0_data(s), ip, sizeof(ip)) != NULL)
			mpic__bufprintf(out, outlen, "IP:%s", ip);
		else
			mpic__bufprintf(out, outlen, "IP:(%d octets)", len);
		return;
	case GEN_EMAIL:
		s = g->d.rfc822Name;
		printable(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s),
		    buf, sizeof(buf));
		mpic__bufprintf(out, outlen, "email:%s", buf);
		return;
	case GEN_URI:
		s = g->d.uniformResourceIdentifier;
		printable(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s),
		    buf, sizeof(buf));
		mpic__bufprintf(out, outlen, "URI:%s", buf);
		return;
	default:
		mpic__bufprintf(out, outlen, "(general name of type %d)",
		    g->type);
	}
}

/* The subject's first commonName as UTF-8, or NULL (JSON null). */
static json_t *
common_name(X509 *cert)
{
	const X509_NAME *subj = X509_get_subject_name(cert);
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	char buf[EVIDENCE_MAX];
	json_t *j;
	int i, n;

	if (subj == NULL ||
	    (i = X509_NAME_get_index_by_NID(subj, NID_commonName, -1)) < 0 ||
	    (e = X509_NAME_get_entry(subj, i)) == NULL)
		return json_null();
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (n < 0)
		return json_null();
	/* jansson refuses invalid UTF-8 and NULs: fall back to printable */
	j = (size_t)n < sizeof(buf) && memchr(utf8, '\0', (size_t)n) == NULL ?
	    json_stringn((const char *)utf8, (size_t)n) : NULL;
	if (j == NULL) {
		printable(utf8, (size_t)n, buf, sizeof(buf));
		j = json_string(buf);
	}
	OPENSSL_free(utf8);
	return j ? j : json_null();
}

const char *
mpic__alpn_cert_check(X509 *cert, const struct mpic__alpn_want *w,
		      json_t *details, char *why, size_t whylen)
{
	GENERAL_NAMES *sans = NULL;
	const GENERAL_NAME *g;
	ASN1_OBJECT *acme_oid = NULL;
	const X509_EXTENSION *ext, *san_ext = NULL, *acme_ext = NULL;
	const ASN1_OCTET_STRING *val;
	const ASN1_STRING *s;
	const char *fail = NULL;
	char oid[80], text[EVIDENCE_MAX + 16];
	json_t *list = NULL;
	int i, j, n_ext, n;
	size_t len;

	why[0] = '\0';
	if (details != NULL) {
		json_object_set_new(details, "common_name", common_name(cert));
		list = json_array();
		json_object_set_new(details, "subject_alt_names", list);
		json_object_set_new(details, "acme_identifier_critical",
		    json_null());
	}
	acme_oid = OBJ_txt2obj(MPIC__ALPN_ACME_ID_OID, 1);
	if (acme_oid == NULL) {
		mpic__bufprintf(why, whylen, "out of memory");
		fail = MPIC__ERR_ALPN_MALFORMED;
		goto out;
	}
	n_ext = X509_get_ext_count(cert);
	if (n_ext > MPIC__ALPN_MAX_EXTENSIONS) {
		mpic__bufprintf(why, whylen, "certificate has %d extensions "
		    "(at most %d accepted)", n_ext, MPIC__ALPN_MAX_EXTENSIONS);
		fail = MPIC__ERR_ALPN_MALFORMED;
		goto out;
	}
	/* Find the two extensions; any OID seen twice fails (RFC 5280
	 * 4.2: a certificate must not include an extension twice). */
	for (i = 0; i < n_ext; i++) {
		const ASN1_OBJECT *o;

		ext = X509_get_ext(cert, i);
		o = X509_EXTENSION_get_object((X509_EXTENSION *)ext);
		for (j = 0; j < i && fail == NULL; j++) {
			if (OBJ_cmp(o, X509_EXTENSION_get_object(
			    X509_get_ext(cert, j))) == 0) {
				OBJ_obj2txt(oid, sizeof(oid), o, 1);
				mpic__bufprintf(why, whylen, "extension %s "
				    "appears more than once", oid);
				fail = MPIC__ERR_ALPN_DUPLICATE;
			}
		}
		if (OBJ_obj2nid(o) == NID_subject_alt_name)
			san_ext = ext;
		else if (OBJ_cmp(o, acme_oid) == 0)
			acme_ext = ext;
	}
	if (acme_ext != NULL && details != NULL)
		json_object_set_new(details, "acme_identifier_critical",
		    json_boolean(X509_EXTENSION_get_critical(acme_ext)));
	if (san_ext != NULL) {
		sans = X509V3_EXT_d2i((X509_EXTENSION *)san_ext);
		if (sans == NULL && fail == NULL) {
			mpic__bufprintf(why, whylen, "subjectAltName does not "
			    "parse");
			fail = MPIC__ERR_ALPN_MALFORMED;
		}
	}
	n = sans != NULL ? sk_GENERAL_NAME_num(sans) : 0;
	for (i = 0; list != NULL && i < n && i < SAN_LIST_MAX; i++) {
		san_text(sk_GENERAL_NAME_value(sans, i), text, sizeof(text));
		json_array_append_new(list, json_string(text));
	}
	if (fail != NULL)
		goto out;
	if (san_ext == NULL || acme_ext == NULL) {
		mpic__bufprintf(why, whylen, "certificate lacks the %s "
		    "extension", san_ext == NULL ? "subjectAltName" :
		    "id-pe-acmeIdentifier (" MPIC__ALPN_ACME_ID_OID ")");
		fail = MPIC__ERR_ALPN_EXT_MISSING;
		goto out;
	}
	/* Exactly one SAN entry, naming the target and nothing else. */
	if (n != 1) {
		mpic__bufprintf(why, whylen, "subjectAltName has %d entries; "
		    "exactly one is required", n);
		fail = MPIC__ERR_ALPN_NO_SINGLE_SAN;
		goto out;
	}
	g = sk_GENERAL_NAME_value(sans, 0);
	san_text(g, text, sizeof(text));
	if (w->name != NULL) {
		if (g->type != GEN_DNS) {
			mpic__bufprintf(why, whylen, "subjectAltName %s is not "
			    "a dNSName", text);
			fail = MPIC__ERR_ALPN_SAN_NOT_DNS;
			goto out;
		}
		s = g->d.dNSName;
		len = strlen(w->name);
		if ((size_t)ASN1_STRING_length(s) != len ||
		    strncasecmp((const char *)ASN1_STRING_get0_data(s),
		    w->name, len) != 0 ||
		    memchr(ASN1_STRING_get0_data(s), '\0', len) != NULL) {
			mpic__bufprintf(why, whylen, "subjectAltName %s is not "
			    "%s", text, w->name);
			fail = MPIC__ERR_ALPN_SAN_MISMATCH;
			goto out;
		}
	} else {
		len = w->af == AF_INET ? 4 : 16;
		if (g->type != GEN_IPADD) {
			mpic__bufprintf(why, whylen, "subjectAltName %s is not "
			    "an iPAddress", text);
			fail = MPIC__ERR_ALPN_SAN_NOT_IP;
			goto out;
		}
		s = g->d.iPAddress;
		if ((size_t)ASN1_STRING_length(s) != len ||
		    memcmp(ASN1_STRING_get0_data(s), w->addr, len) != 0) {
			inet_ntop(w->af, w->addr, oid, sizeof(oid));
			mpic__bufprintf(why, whylen, "subjectAltName %s is not "
			    "IP:%s", text, oid);
			fail = MPIC__ERR_ALPN_SAN_MISMATCH;
			goto out;
		}
	}
	/* RFC 8737 3: critical, extnValue = DER OCTET STRING of 32 octets */
	if (!X509_EXTENSION_get_critical(acme_ext)) {
		mpic__bufprintf(why, whylen, "id-pe-acmeIdentifier is not "
		    "marked critical");
		fail = MPIC__ERR_ALPN_NONCRITICAL;
		goto out;
	}
	val = X509_EXTENSION_get_data((X509_EXTENSION *)acme_ext);
	if (ASN1_STRING_length(val) != 34 ||
	    ASN1_STRING_get0_data(val)[0] != 0x04 ||
	    ASN1_STRING_get0_data(val)[1] != 0x20) {
		mpic__bufprintf(why, whylen, "id-pe-acmeIdentifier value is "
		    "not a DER OCTET STRING of 32 octets (%d octets)",
		    ASN1_STRING_length(val));
		fail = MPIC__ERR_ALPN_DIGEST;
		goto out;
	}
	if (CRYPTO_memcmp(ASN1_STRING_get0_data(val) + 2, w->digest, 32) != 0) {
		mpic__bufprintf(why, whylen, "id-pe-acmeIdentifier is not the "
		    "SHA-256 digest of the key authorization");
		fail = MPIC__ERR_ALPN_DIGEST;
		goto out;
	}
out:
	GENERAL_NAMES_free(sans);
	ASN1_OBJECT_free(acme_oid);
	return fail;
}
