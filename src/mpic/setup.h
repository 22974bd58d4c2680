/* setup.h - "mpic setup": a deployment's PKI and configurations from one
 * inventory (setup_cmd.c), and the certificate work it needs
 * (setup_pki.c).  Part of the mpic tool only. */
#ifndef MPIC_SETUP_H
#define MPIC_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* "setup INVENTORY -o DIR [...]" and "setup renew -o DIR [...]" (argv[0]
 * is "setup"); now is the day of the Baseline Requirements calendar
 * (--now).  Returns the exit status: 0 done, 2 could not write, 64
 * usage, 78 inventory invalid or refused by a BR rule. */
int tool_setup(int argc, char **argv, time_t now);

/* ------------------------------------------------------------ inventory
 * (setup_inv.c) */
#define INV_MAX_PERSP 128             /* as perspectives in mpicd.conf */
#define INV_MAX_ADDRS 16
#define INV_STR 256
#define INV_URL 2048
#define INV_PATH 4096

struct inv_persp {
	char code[64];           /* A-Z a-z 0-9 . _ -: also a directory */
	char rir[16];            /* normalised: ARIN, RIPE NCC, ... */
	double lat, lon;
	char url[INV_URL];
	char host[INV_STR];      /* the URL's host, without brackets */
	bool host_ip;
	unsigned port;
	char listen[INV_STR];
	char names[INV_MAX_ADDRS][INV_STR]; /* more DNS names or addresses
					     * on its certificate */
	size_t n_names;
};

struct inventory {
	const char *path;
	char coord_name[INV_STR];
	char addrs[INV_MAX_ADDRS][64];
	size_t n_addrs;
	char coord_listen[INV_STR];
	char audit_path[INV_PATH];   /* "": the layout's default */
	char user[64];               /* "": none */
	int count;               /* default_perspective_count; 0: all */
	char *dns;               /* flow YAML, malloc'd, or NULL */
	char *issuers;           /* flow YAML, malloc'd, or NULL */
	struct inv_persp p[INV_MAX_PERSP];
	size_t n;
};

/* Read the inventory at path into *inv (zeroed here; release with
 * setup_inventory_release()).  Every string is free of quotes,
 * backslashes and control characters.  0, or 78 with the reason (the
 * file and the key) on standard error. */
int setup_inventory_load(const char *path, struct inventory *inv);
void setup_inventory_release(struct inventory *inv);

/* ------------------------------------------------------------ PKI
 * (setup_pki.c) */

/* A certificate authority: its key and self-signed certificate. */
struct setup_ca {
	EVP_PKEY *key;
	X509 *cert;
};

/* A new EC P-256 CA named cn, valid for days.  0, or -1 with the reason
 * in err.  Release with setup_ca_release(). */
int setup_ca_new(struct setup_ca *ca, const char *cn, int days, char *err,
		 size_t errlen);
/* The CA of files cert_path and key_path; the key must match. */
int setup_ca_load(struct setup_ca *ca, const char *cert_path,
		  const char *key_path, char *err, size_t errlen);
void setup_ca_release(struct setup_ca *ca);

/*
 * Issue a leaf certificate with a new EC P-256 key, signed by ca, valid
 * for days from now: subject CN cn, subjectAltName san (OpenSSL's
 * "DNS:name,IP:addr" form), serverAuth and clientAuth.  With like
 * non-NULL, cn and san are ignored and like's subject, subjectAltName
 * and extendedKeyUsage are taken over (a renewal).  *key and *cert are
 * the caller's (EVP_PKEY_free, X509_free).  0, or -1 with err.
 */
int setup_leaf_issue(const struct setup_ca *ca, const char *cn,
		     const char *san, const X509 *like, int days,
		     EVP_PKEY **key, X509 **cert, char *err, size_t errlen);

/* Write a PEM key (mode 0600) or certificate (0644) to path: a temporary
 * file in the same directory renamed over path, so a reader sees the old
 * file or the new one.  0, or -1 with err. */
int setup_write_key(const char *path, EVP_PKEY *key, char *err,
		    size_t errlen);
int setup_write_cert(const char *path, X509 *cert, char *err,
		     size_t errlen);
/* A perspective's statement signing key (docs/evidence.md): Ed25519, and
 * its public half as `openssl pkey -pubout` writes it (0644). */
EVP_PKEY *setup_ed25519_key(void);
int setup_write_pubkey(const char *path, EVP_PKEY *key, char *err,
		       size_t errlen);
/* Read the first PEM certificate of path; NULL with err. */
X509 *setup_read_cert(const char *path, char *err, size_t errlen);

/* n random bytes as 2n lowercase hex digits and a NUL into out (2n + 1
 * bytes).  0, or -1 when the random generator fails. */
int setup_random_hex(char *out, size_t n);

#endif
