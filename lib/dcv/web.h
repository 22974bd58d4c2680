/*
 * web.h - the pieces of the HTTP-based domain-control methods
 * (website-change, acme-http-01): the SSRF guard, the URL and redirect
 * rules, the body comparison, and the HTTP client (libcurl's multi
 * interface driven by the perspective's libevent base).
 */
#ifndef MPIC__DCV_WEB_H
#define MPIC__DCV_WEB_H

#include <curl/curl.h>

#include "dns/dns.h"
#include "api/model.h"
#include "config/config.h"

/* ------------------------------------------------------------ limits */

#define MPIC__HTTP_URL_MAX 2048          /* a URL or a Location value */
/* bytes of a body we read (requirements: "a few KiB"): a key authorization
 * is ~87 bytes and a pki-validation file a line; the page is echoed
 * base64-encoded by every perspective in the answer */
#define MPIC__HTTP_BODY_MAX (8 * 1024)
#define MPIC__HTTP_MAX_ADDRS 8           /* addresses kept per family */

/* ------------------------------------------------------------ netguard.c */

struct mpic__cidr {
	int af;           /* AF_INET / AF_INET6 */
	uint8_t addr[16];
	unsigned plen;
};

/* "ADDR/PREFIX" (text of length len) into out.  0 or MPIC_EINVAL. */
int mpic__cidr_parse(const char *s, size_t len, struct mpic__cidr *out);
/* True when addr (4 or 16 octets by af) lies inside c. */
bool mpic__cidr_contains(const struct mpic__cidr *c, int af,
			 const uint8_t *addr);
/*
 * NULL when addr is an ordinary public address; else a static text naming
 * the special-purpose range it falls in ("loopback (127.0.0.0/8)", ...).
 */
const char *mpic__addr_reserved(int af, const uint8_t *addr);
/*
 * The SSRF guard: NULL when the address may be contacted (public, or
 * inside one of the n allowed networks); else why not (static text).
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as a.b.c.d.
 */
const char *mpic__addr_refused(int af, const uint8_t *addr,
			       const struct mpic__cidr *allowed, size_t n);

/* ------------------------------------------------------------ url.c */

struct mpic__url {
	char text[MPIC__HTTP_URL_MAX + 1]; /* normalised absolute URL */
	bool https;
	char host[MPIC__NAME_MAX + 1];     /* lowercase name or address text */
	bool host_is_ip;
	int af;
	uint8_t addr[16];
	unsigned port;                    /* explicit or the scheme's */
};

/* True for the redirect codes we follow: 301, 302, 307, 308. */
bool mpic__redirect_code_ok(long code);
/* True for the Authorized Ports (BR): 80, 443, 25, 22. */
bool mpic__port_authorized(unsigned port);

/*
 * Parse and check an absolute URL: http or https, an authorized port, a
 * host that is a DNS name or an address, no user info, at most
 * MPIC__HTTP_URL_MAX characters.  0, or MPIC_EPOLICY / MPIC_EPARSE with
 * the reason in why.
 */
int mpic__url_check(const char *url, struct mpic__url *out, char *why,
		    size_t whylen);
/*
 * A Location value (len octets, not NUL-terminated) resolved against the
 * current URL base, then checked as mpic__url_check() does.
 */
int mpic__url_redirect(const char *base, const char *loc, size_t len,
		       struct mpic__url *out, char *why, size_t whylen);
/*
 * The first URL of a check: http://NAME/.well-known/acme-challenge/TOKEN
 * or URL_SCHEME://NAME/.well-known/pki-validation/PATH; an IPv6 target
 * goes in brackets.  0 or MPIC_ETOOBIG.
 */
int mpic__http_first_url(const struct mpic__request *req, char *out,
			 size_t outlen);

/* ------------------------------------------------------------ match.c */

/* RFC 8555 8.3: the body, trailing whitespace removed, equals ka. */
bool mpic__http01_match(const char *body, size_t len, const char *ka);
/*
 * BR 3.2.2.4.18: the challenge value inside the body (case-insensitively
 * unless exact_case) and, when regex is not NULL, also a PCRE2 search
 * (util/regex.h; case as the pattern says) in all len octets of the body.
 * Returns 0 with *matched set; otherwise *matched is false and why says
 * what happened: MPIC_EINVAL (regex does not compile), MPIC_ETOOBIG (the
 * search hit a limit: neither a match nor a miss), MPIC_ENOMEM, MPIC_EIO.
 */
int mpic__website_match(const char *body, size_t len, const char *value,
			bool exact_case, const char *regex, bool *matched,
			char *why, size_t whylen);

/* ------------------------------------------------------------ client.c */

/*
 * One HTTP client per perspective: a CURLM driven by the perspective's
 * event base.  Transfers are easy handles added with mpic__web_add();
 * the done callback runs from the event loop once per transfer, never
 * from inside mpic__web_add().
 */
struct mpic__web;
struct mpic__web_xfer;
typedef void (*mpic__web_done_cb)(struct mpic__web_xfer *x, CURLcode rc);

/* Embedded in its owner; the curl loop owns CURLOPT_PRIVATE of easy. */
struct mpic__web_xfer {
	CURL *easy;
	mpic__web_done_cb done;
	void (*abandon)(struct mpic__web_xfer *x); /* at mpic__web_free() */
	/* the client's */
	struct mpic__web_xfer *prev, *next; /* on the tracked list */
	bool tracked;
	bool running;                      /* easy is in the multi */
};

int mpic__web_new(struct event_base *base, const struct mpic_config *cfg,
		  struct mpic__web **out);
/*
 * Stop every transfer (their done callbacks do not run; each live
 * transfer's abandon hook frees its owner) and free the client.
 * NULL is fine.
 */
void mpic__web_free(struct mpic__web *w);
/* The allowed networks of the configuration, parsed once. */
const struct mpic__cidr *mpic__web_allowed(const struct mpic__web *w,
					  size_t *n);
/* Register a check that owns transfers, so that mpic__web_free() can
 * abandon it even while it waits for DNS. */
void mpic__web_track(struct mpic__web *w, struct mpic__web_xfer *x);
void mpic__web_untrack(struct mpic__web *w, struct mpic__web_xfer *x);
/* Stop x->easy if it runs; its done callback will not run. */
void mpic__web_remove(struct mpic__web *w, struct mpic__web_xfer *x);
/* Start x->easy.  0 or MPIC_EIO. */
int mpic__web_add(struct mpic__web *w, struct mpic__web_xfer *x);

#endif
