/*
 * url.c - the URLs an HTTP-based check may fetch (BR 3.2.2.4.18/.19, RFC
 * 8555 8.3): the first one, and every redirect target.  Parsing and
 * relative resolution are curl's URL API (the same parser the transfer
 * uses, so what we check is what curl fetches); the rules are ours:
 * http/https only, an Authorized Port (80, 443, 25, 22), no user info or
 * zone id, a host that is a DNS name or an address, a bounded length.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "web.h"

bool
mpic__redirect_code_ok(long code)
{
	return code == 301 || code == 302 || code == 307 || code == 308;
}

bool
mpic__port_authorized(unsigned port)
{
	return port == 80 || port == 443 || port == 25 || port == 22;
}

/* Printable excerpt of untrusted text for an error message. */
static void
excerpt(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
			mpic__bufprintf(out + o, outlen - o, "\\x%02x", ch);
			o += 4;
		} else {
			out[o++] = (char)ch;
		}
	}
	if (i < len && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Fill out from a parsed handle; rewrite the host in normalised form. */
static int
check_parts(CURLU *u, struct mpic__url *out, char *why, size_t whylen)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	char *zone = NULL, *text = NULL;
	char hb[MPIC__NAME_MAX + 1], err[128], bracketed[64];
	struct mpic__target t;
	size_t hl;
	unsigned long pn;
	char *end;
	int rc = MPIC_EPOLICY;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		mpic__bufprintf(why, whylen, "URL has no scheme or host");
		rc = MPIC_EPARSE;
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		mpic__bufprintf(why, whylen, "scheme %.16s is not http or "
		    "https", scheme);
		goto out;
	}
	out->https = scheme[4] == 's';
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		mpic__bufprintf(why, whylen, "URL carries user information");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK) {
		mpic__bufprintf(why, whylen, "URL carries an IPv6 zone id");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		mpic__bufprintf(why, whylen, "URL has no port");
		goto out;
	}
	pn = strtoul(port, &end, 10);
	if (*end != '\0' || pn > 65535 || !mpic__port_authorized(
	    (unsigned)pn)) {
		mpic__bufprintf(why, whylen, "port %.8s is not an Authorized "
		    "Port (80, 443, 25, 22)", port);
		goto out;
	}
	out->port = (unsigned)pn;
	hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		if (hl - 2 >= sizeof(hb))
			goto badhost;
		memcpy(hb, host + 1, hl - 2);
		hb[hl - 2] = '\0';
		if (inet_pton(AF_INET6, hb, out->addr) != 1)
			goto badhost;
		out->af = AF_INET6;
		out->host_is_ip = true;
	} else if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->af = AF_INET;
		out->host_is_ip = true;
	} else {
		if (mpic__target_parse(host, hl, &t, err, sizeof(err)) != 0 ||
		    t.is_wildcard || t.is_ip)
			goto badhost;
		mpic__bufprintf(out->host, sizeof(out->host), "%s", t.name);
		/* an IDN becomes its A-labels, upper case becomes lower */
		if (strcmp(t.name, host) != 0 && curl_url_set(u,
		    CURLUPART_HOST, t.name, 0) != CURLUE_OK)
			goto badhost;
	}
	if (out->host_is_ip) {
		inet_ntop(out->af, out->addr, out->host, sizeof(out->host));
		if (out->af == AF_INET6) {
			mpic__bufprintf(bracketed, sizeof(bracketed), "[%s]",
			    out->host);
			if (curl_url_set(u, CURLUPART_HOST, bracketed, 0) !=
			    CURLUE_OK)
				goto badhost;
		}
	}
	/* no fragment goes on the wire; drop it from the record too */
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &text, 0) != CURLUE_OK) {
		mpic__bufprintf(why, whylen, "URL cannot be rebuilt");
		rc = MPIC_EPARSE;
		goto out;
	}
	if (strlen(text) > MPIC__HTTP_URL_MAX) {
		mpic__bufprintf(why, whylen, "URL is longer than %d characters",
		    MPIC__HTTP_URL_MAX);
		rc = MPIC_ETOOBIG;
		goto out;
	}
	memcpy(out->text, text, strlen(text) + 1);
	rc = 0;
	goto out;
badhost:
	excerpt(host, strlen(host), err, sizeof(err));
	mpic__bufprintf(why, whylen, "host \"%s\" is not a DNS name or an IP "
	    "address", err);
	rc = MPIC_EPOLICY;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_free(zone);
	curl_free(text);
	return rc;
}

static int
parse_into(CURLU *u, const char *s, char *why, size_t whylen)
{
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, s, 0);

	if (uc == CURLUE_OK)
		return 0;
	mpic__bufprintf(why, whylen, "not a valid URL (%s)",
	    curl_url_strerror(uc));
	return MPIC_EPARSE;
}

int
mpic__url_check(const char *url, struct mpic__url *out, char *why,
		size_t whylen)
{
	CURLU *u;
	int rc;

	memset(out, 0, sizeof(*out));
	if (strlen(url) > MPIC__HTTP_URL_MAX) {
		mpic__bufprintf(why, whylen, "URL is longer than %d characters",
		    MPIC__HTTP_URL_MAX);
		return MPIC_ETOOBIG;
	}
	u = curl_url();
	if (u == NULL)
		return MPIC_ENOMEM;
	rc = parse_into(u, url, why, whylen);
	if (rc == 0)
		rc = check_parts(u, out, why, whylen);
	curl_url_cleanup(u);
	return rc;
}

int
mpic__url_redirect(const char *base, const char *loc, size_t len,
		   struct mpic__url *out, char *why, size_t whylen)
{
	char buf[MPIC__HTTP_URL_MAX + 1], ex[96];
	CURLU *u;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		mpic__bufprintf(why, whylen, "empty Location");
		return MPIC_EPARSE;
	}
	if (len > MPIC__HTTP_URL_MAX) {
		mpic__bufprintf(why, whylen, "Location is longer than %d "
		    "characters", MPIC__HTTP_URL_MAX);
		return MPIC_ETOOBIG;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)loc[i] <= 0x20 || loc[i] == 0x7f) {
			excerpt(loc, len, ex, sizeof(ex));
			mpic__bufprintf(why, whylen, "Location \"%s\" has a "
			    "space or control character", ex);
			return MPIC_EPARSE;
		}
	}
	memcpy(buf, loc, len);
	buf[len] = '\0';
	u = curl_url();
	if (u == NULL)
		return MPIC_ENOMEM;
	rc = parse_into(u, base, why, whylen);
	/* with a URL in the handle, a relative one is resolved against it */
	if (rc == 0)
		rc = parse_into(u, buf, why, whylen);
	if (rc == 0)
		rc = check_parts(u, out, why, whylen);
	curl_url_cleanup(u);
	return rc;
}

int
mpic__http_first_url(const struct mpic__request *req, char *out,
		     size_t outlen)
{
	const struct mpic__target *t = &req->target;
	const struct mpic__dcv_params *p = &req->dcv;
	const char *l = "", *r = "";
	size_t need;

	if (t->is_ip && t->af == AF_INET6) {
		l = "[";
		r = "]";
	}
	if (p->method == MPIC__DCV_ACME_HTTP_01) {
		need = strlen(t->name) + strlen(p->token) + 64;
		if (need > outlen || need > MPIC__HTTP_URL_MAX)
			return MPIC_ETOOBIG;
		mpic__bufprintf(out, outlen,
		    "http://%s%s%s/.well-known/acme-challenge/%s", l, t->name,
		    r, p->token);
	} else {
		need = strlen(t->name) + strlen(p->http_token_path) + 64;
		if (need > outlen || need > MPIC__HTTP_URL_MAX)
			return MPIC_ETOOBIG;
		mpic__bufprintf(out, outlen,
		    "%s://%s%s%s/.well-known/pki-validation/%s",
		    p->url_scheme ? p->url_scheme : "http", l, t->name, r,
		    p->http_token_path);
	}
	return 0;
}
