/*
 * dns.h - lib/dns: DNS names as text, the wire format (messages, rdata,
 * denial proofs), DNSSEC states, and the resolver: one libunbound context
 * and cache per perspective on the caller's event base.  Internal.
 */
#ifndef MPIC__DNS_H
#define MPIC__DNS_H

#include "util/util.h"

#define MPIC__NAME_MAX 253 /* presentation form, without trailing dot */

/* Reverse-zone name for an address (in-addr.arpa / ip6.arpa), no dot. */
int mpic__reverse_name(int af, const uint8_t *addr, char *out, size_t outlen);

/* Case-insensitive ASCII comparison of DNS names, ignoring a final dot. */
bool mpic__name_eq(const char *a, const char *b);

enum mpic__dnssec {
	MPIC__DNSSEC_INDETERMINATE = 0,
	MPIC__DNSSEC_INSECURE,
	MPIC__DNSSEC_SECURE,
	MPIC__DNSSEC_BOGUS,
};
const char *mpic__dnssec_str(enum mpic__dnssec s);

enum {
	MPIC__RR_A = 1,
	MPIC__RR_NS = 2,
	MPIC__RR_CNAME = 5,
	MPIC__RR_SOA = 6,
	MPIC__RR_PTR = 12,
	MPIC__RR_TXT = 16,
	MPIC__RR_AAAA = 28,
	MPIC__RR_DS = 43,
	MPIC__RR_NSEC = 47,
	MPIC__RR_NSEC3 = 50,
	MPIC__RR_CAA = 257,
};

enum {
	MPIC__RCODE_NOERROR = 0,
	MPIC__RCODE_SERVFAIL = 2,
	MPIC__RCODE_NXDOMAIN = 3,
	MPIC__RCODE_REFUSED = 5,
};

#define MPIC__DNS_MAX_RR 4096
#define MPIC__DNS_MAX_CNAME 16

/* One resource record; rdata is uncompressed wire form. */
struct mpic__dns_rr {
	char owner[MPIC__NAME_MAX + 2];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t *rdata;
};

/*
 * A parsed DNS message.  Every pointer is owned by the message:
 * mpic__dns_msg_release().  Names are presentation form without the final
 * dot, lowercase, with \DDD escapes for unusual bytes.  Names inside rdata
 * of NS/CNAME/PTR/SOA/DNAME/MX are decompressed so rdata stands alone.
 */
struct mpic__dns_msg {
	uint16_t id;
	uint16_t flags;
	int rcode;
	bool tc, ad, aa;
	char qname[MPIC__NAME_MAX + 2];
	uint16_t qtype;
	struct mpic__dns_rr *an;
	size_t n_an;
	struct mpic__dns_rr *ns;
	size_t n_ns;
};
int mpic__dns_msg_parse(const uint8_t *pkt, size_t len,
			struct mpic__dns_msg *msg);
void mpic__dns_msg_release(struct mpic__dns_msg *msg);

/*
 * Read a (possibly compressed) name at *off in pkt into out (presentation,
 * lowercase, no final dot; "." root becomes "").  Advances *off past the
 * name as it stands in the message.  Returns 0 or MPIC_EPARSE.
 */
int mpic__dns_name_read(const uint8_t *pkt, size_t len, size_t *off,
			char *out, size_t outlen);
/* Name in uncompressed rdata at offset 0; returns 0 or MPIC_EPARSE. */
int mpic__dns_rdata_name(const uint8_t *rd, size_t len, char *out,
			 size_t outlen);
/*
 * TXT rdata: concatenation of its character-strings into out (NUL-ended).
 * Returns the length or MPIC_EPARSE / MPIC_ETOOBIG.
 */
int mpic__dns_txt_concat(const uint8_t *rd, size_t len, char *out,
			 size_t outlen);
/* Presentation text of a record's rdata (for records_seen). */
int mpic__dns_rdata_str(uint16_t type, const uint8_t *rd, size_t len,
			char *out, size_t outlen);
const char *mpic__dns_type_str(uint16_t type, char buf[16]);
/* Presentation name to uncompressed wire form (lowercased); returns the
 * length or MPIC_EINVAL / MPIC_ETOOBIG. */
int mpic__dns_name_to_wire(const char *name, uint8_t *out, size_t outlen);
/* RFC 5155 hash of name, base32hex lowercase into out (>= 33 bytes). */
int mpic__nsec3_hash(const char *name, const uint8_t *salt, size_t saltlen,
		     unsigned iterations, char *out, size_t outlen);
/*
 * Does the (validated) authority section of msg, an answer denying DS at
 * name, show name to be an unsigned delegation: an NSEC at name, or an
 * NSEC3 matching name's hash, whose bitmap has NS and lacks SOA and DS?
 */
bool mpic__dns_proves_unsigned_delegation(const struct mpic__dns_msg *msg,
					  const char *name);

/*
 * The answer to one lookup, as the DNS engine hands it to checkers.
 * Owned by the engine; valid only during the completion callback.
 */
struct mpic__dns_answer {
	const char *qname;
	uint16_t qtype;
	int err;               /* 0, or MPIC_ETIMEDOUT / MPIC_EDNS: no answer */
	const char *err_text;  /* resolver's text when err != 0 */
	int rcode;             /* DNS rcode from the answer packet */
	enum mpic__dnssec dnssec;
	const char *why_bogus; /* or NULL */
	bool tc;
	const char *canonname; /* final name after CNAMEs (= qname if none) */
	const char *cname_chain[MPIC__DNS_MAX_CNAME];
	size_t n_cname;
	const struct mpic__dns_rr *rrs; /* records of qtype at canonname */
	size_t n_rrs;
	const struct mpic__dns_msg *msg; /* the whole answer */
	unsigned duration_ms;
	unsigned attempts;
};

struct mpic__dns_opts {
	const char *root_hints;   /* file, or NULL: root_data_dir's, else the
				     built-in IANA hints */
	const char *trust_anchor; /* file of DS/DNSKEY lines, or NULL:
				     root_data_dir's, else the IANA DS */
	/* where root.hints and root.key are looked for when the two above
	 * are NULL: NULL for MPIC__DNS_ROOT_DATA_DIR, "" for nowhere */
	const char *root_data_dir;
	unsigned timeout_ms;      /* per lookup; default 5000 */
	bool cache;               /* default true */
	bool allow_localhost;     /* do-not-query-localhost: no (labs) */
	bool no_aggressive_nsec;  /* RFC 8198 synthesis off (benchmarks) */
	const char *const *transparent_zones; /* NULL-terminated, or NULL */
};

struct event_base;
struct mpic__resolver;
typedef void (*mpic__dns_cb)(void *arg, const struct mpic__dns_answer *ans);

/*
 * Debian's dns-root-data files: updated with the distribution, so they
 * win over the copies built in here (which only a new mpic release
 * updates) when the configuration names no file.
 */
#define MPIC__DNS_ROOT_DATA_DIR "/usr/share/dns"

/*
 * The file name of dir (NULL: MPIC__DNS_ROOT_DATA_DIR; "": none) when it
 * is readable, written to buf: buf, else NULL (use the built-in copy).
 */
const char *mpic__dns_root_file(const char *dir, const char *name,
				char *buf, size_t len);

/* One resolver (own libunbound context and cache) per perspective. */
int mpic__resolver_new(struct event_base *base,
		       const struct mpic__dns_opts *opts,
		       struct mpic__resolver **out, char *err, size_t errlen);
void mpic__resolver_free(struct mpic__resolver *r);
/* Count every lookup's final answer into st->dns (st outlives r). */
void mpic__resolver_count(struct mpic__resolver *r,
			  struct mpic_check_stats *st);
/*
 * Resolve name/type.  The callback runs exactly once, never before this
 * returns.  A failed lookup (an rcode other than NOERROR/NXDOMAIN, or a
 * timeout) is retried once, except a bogus answer (recorded
 * in attempts).  Returns 0 or a negative error (then no callback).
 */
int mpic__resolve(struct mpic__resolver *r, const char *name, uint16_t type,
		  mpic__dns_cb cb, void *arg);

/* ---------------------------------------------------------- CAA rdata */

#define MPIC__CAA_TAG_MAX 255

struct mpic__caa_rr {
	uint8_t flags;
	char tag[MPIC__CAA_TAG_MAX + 1];   /* as in the record, NUL-ended */
	const uint8_t *value;             /* points into the rdata */
	size_t value_len;
};

/* Parse CAA rdata (caa_rdata.c).  Returns 0 or MPIC_EPARSE; a failed
 * parse leaves out untouched. */
int mpic__caa_rr_parse(const uint8_t *rd, size_t len, struct mpic__caa_rr *out);

/* Presentation form: 0 issue "ca.example; accounturi=..." into out;
 * MPIC_ETOOBIG (out "") rather than a shortened string. */
int mpic__caa_rr_str(const struct mpic__caa_rr *rr, char *out, size_t outlen);

/* The same into sb, the value cut at vmax bytes ("..." marks it). */
void mpic__caa_rr_put(struct mpic__sbuf *sb, const struct mpic__caa_rr *rr,
		      size_t vmax);

#endif
