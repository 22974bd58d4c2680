/*
 * tls_alpn.h - acme-tls-alpn-01 (RFC 8737, BR 3.2.2.4.20; RFC 8738,
 * BR 3.2.2.5.7 for IP addresses): the pieces shared by the check
 * (tls_alpn.c), the certificate rules (tls_alpn_cert.c), the address
 * guard (tls_alpn_guard.c), the engine and the tests.
 */
#ifndef MPIC__DCV_TLS_ALPN_H
#define MPIC__DCV_TLS_ALPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "config/config.h"

/* The one protocol offered (RFC 8737 6.2) and the extension's OID (6.1). */
#define MPIC__ALPN_PROTO "acme-tls/1"
#define MPIC__ALPN_ACME_ID_OID "1.3.6.1.5.5.7.1.31"
#define MPIC__ALPN_PORT 443

/* Limits on what a server can make us hold. */
#define MPIC__ALPN_MAX_READ (64 * 1024)  /* bytes read per connection */
#define MPIC__ALPN_MAX_CERT_LIST (32 * 1024)
#define MPIC__ALPN_MAX_EXTENSIONS 64
#define MPIC__ALPN_MAX_ADDRS 8           /* per address family */

/*
 * Error types of this method.  Certificate rule failures are completed
 * checks that did not pass (check_completed true, check_passed false),
 * with Open MPIC's strings where it has one; failures to connect or to
 * finish the handshake are checks that could not complete.
 */
#define MPIC__ERR_ALPN_EXT_MISSING \
	"mpic_error:dcv_checker:tls_alpn:certificate:extension_missing"
#define MPIC__ERR_ALPN_NONCRITICAL \
	"mpic_error:dcv_checker:tls_alpn:certificate:noncritical_alpn_extension"
#define MPIC__ERR_ALPN_NO_SINGLE_SAN \
	"mpic_error:dcv_checker:tls_alpn:certificate:no_single_san"
#define MPIC__ERR_ALPN_SAN_NOT_DNS \
	"mpic_error:dcv_checker:tls_alpn:certificate:san_not_dnsname"
#define MPIC__ERR_ALPN_SAN_NOT_IP \
	"mpic_error:dcv_checker:tls_alpn:certificate:san_type_not_match"
#define MPIC__ERR_ALPN_SAN_MISMATCH \
	"mpic_error:dcv_checker:tls_alpn:certificate:san_not_hostname"
#define MPIC__ERR_ALPN_DIGEST \
	"mpic_error:dcv_checker:tls_alpn:certificate:key_authorization_mismatch"
#define MPIC__ERR_ALPN_DUPLICATE \
	"mpic_error:dcv_checker:tls_alpn:certificate:duplicate_extension"
#define MPIC__ERR_ALPN_MALFORMED \
	"mpic_error:dcv_checker:tls_alpn:certificate:malformed"
#define MPIC__ERR_ALPN_PROTOCOL \
	"mpic_error:dcv_checker:tls_alpn:alpn_not_negotiated"
#define MPIC__ERR_ALPN_CONNECT "mpic_error:dcv_checker:tls_alpn:connection"
#define MPIC__ERR_ALPN_TLS "mpic_error:dcv_checker:tls_alpn:handshake"
#define MPIC__ERR_ALPN_ADDRESS \
	"mpic_error:dcv_checker:tls_alpn:address_not_allowed"

/* What the certificate must show. */
struct mpic__alpn_want {
	const char *name;        /* DNS target (A-labels), or NULL for an IP */
	int af;                  /* AF_INET / AF_INET6 for an IP target */
	const uint8_t *addr;     /* 4 or 16 octets for an IP target */
	const uint8_t *digest;   /* SHA-256 of the key authorization */
};

/*
 * Apply the RFC 8737 3 / RFC 8738 certificate rules to cert: no extension
 * twice, exactly one subjectAltName entry equal to the target, a critical
 * id-pe-acmeIdentifier whose value is DER OCTET STRING (32) of the digest.
 * Returns NULL when every rule holds, else the static error type of the
 * first broken rule with a message in why.  When details is not NULL the
 * evidence (common_name, subject_alt_names, acme_identifier_critical) is
 * set in it either way.
 */
const char *mpic__alpn_cert_check(X509 *cert, const struct mpic__alpn_want *w,
				  json_t *details, char *why, size_t whylen);

/*
 * The SSRF guard: true when af/addr may be contacted, that is when it is
 * a global unicast address outside every special-purpose range, or when
 * it lies in one of cfg's allowed_networks.  Otherwise false with the
 * range's name in why.
 */
bool mpic__alpn_addr_allowed(const struct mpic_config *cfg, int af,
			     const uint8_t *addr, char *why, size_t whylen);

/*
 * Client TLS state shared by the checks of one perspective: the SSL_CTX
 * (TLS >= 1.2, no verification, no session cache or tickets) and the
 * socket BIO method.  Owned by the caller: mpic__alpn_tls_free().  A
 * check whose env has none makes its own.
 */
struct mpic__alpn_tls;
int mpic__alpn_tls_new(struct mpic__alpn_tls **out);
void mpic__alpn_tls_free(struct mpic__alpn_tls *t);

#endif
