/*
 * caa.c - CAA records (RFC 8659, RFC 8657, RFC 9495): wire parsing,
 * presentation form, issue-value grammar and the issuance decision on a
 * relevant record set.  Nothing here allocates; every input is read by
 * pointer and length.
 */
#include <string.h>

#include "util/util.h"
#include "dns/dns.h"
#include "caa/caa.h"

#define CAA_FLAG_CRITICAL 0x80
/* RFC 8659 4.1: the tag length is at least 1 (and should be at most 15:
 * a longer one of letters and digits is well-formed, an unknown tag). */
/* How much of a value a reason line quotes before eliding the rest. */
#define CAA_REASON_VALUE_MAX 96

static const char *const caa_known_tags[] = {
	"issue", "issuewild", "iodef", "issuemail", "contactemail",
	"contactphone",
};

static bool
is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(uint8_t c)
{
	return is_alpha(c) || is_digit(c);
}

/* WSP = SP / HTAB (RFC 5234). */
static bool
is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* parameter-value = *(%x21-3A / %x3C-7E): visible characters but ';'. */
static bool
is_param_char(uint8_t c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

static char
ascii_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

static bool
ascii_case_eq(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

/* (Here so that the CAA code stands without the names module.) */
bool
mpic__caa_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	if (la != lb || la == 0)
		return false;
	for (i = 0; i < la; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static bool
caa_tag_known(const char *tag)
{
	size_t i;

	for (i = 0; i < sizeof(caa_known_tags) / sizeof(caa_known_tags[0]);
	    i++)
		if (ascii_case_eq(tag, caa_known_tags[i]))
			return true;
	return false;
}

/* A record for a reason line: the value is elided past a limit. */
static void
caa_rr_brief(const struct mpic__caa_rr *rr, char *buf, size_t size)
{
	struct mpic__sbuf sb = { buf, size, 0, false };

	buf[0] = '\0';
	mpic__caa_rr_put(&sb, rr, CAA_REASON_VALUE_MAX);
	if (sb.full)
		mpic__bufprintf(buf, size, "a %zu-byte record", rr->value_len);
}

/* A tag for a reason line, escaped like a value. */
static void
caa_tag_text(const char *tag, char *buf, size_t size)
{
	struct mpic__sbuf sb = { buf, size, 0, false };

	buf[0] = '\0';
	mpic__sbuf_put_escaped(&sb, (const uint8_t *)tag, strnlen(tag,
	    MPIC__CAA_TAG_MAX + 1));
}

/* ---------------------------------------------------------------- grammar */

struct caa_cur {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static void
cur_skip_wsp(struct caa_cur *c)
{
	while (c->off < c->len && is_wsp(c->p[c->off]))
		c->off++;
}

/*
 * label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT)).  Nothing that may
 * follow a label (".", WSP, ";", "=", the end) begins with "-", so a
 * label with a trailing hyphen fails the whole value: no backtracking.
 */
static bool
cur_label(struct caa_cur *c)
{
	size_t start = c->off;

	if (c->off >= c->len || !is_alnum(c->p[c->off]))
		return false;
	while (c->off < c->len &&
	    (is_alnum(c->p[c->off]) || c->p[c->off] == '-'))
		c->off++;
	if (c->p[c->off - 1] == '-') {
		c->off = start;
		return false;
	}
	return true;
}

/* issuer-domain-name = label *("." label), stored lowercase. */
static bool
cur_issuer(struct caa_cur *c, struct mpic__caa_issue_value *out)
{
	size_t start = c->off, n, i;

	if (!cur_label(c))
		return false;
	while (c->off < c->len && c->p[c->off] == '.') {
		c->off++;
		if (!cur_label(c))
			return false;
	}
	n = c->off - start;
	if (n > MPIC__NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		out->issuer[i] = ascii_lower((char)c->p[start + i]);
	out->issuer[n] = '\0';
	return true;
}

/* The parameters a decision reads: RFC 8657's, and those of BR
 * 3.2.2.4.22's persistent TXT value (which shares this grammar). */
static bool
caa_param_used(const uint8_t *tag, size_t len)
{
	static const char *const used[] = {"accounturi", "validationmethods",
	    "persistuntil", "policy"};
	size_t i, k;

	for (i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
		if (strlen(used[i]) != len)
			continue;
		for (k = 0; k < len && ascii_lower((char)tag[k]) == used[i][k];
		    k++)
			;
		if (k == len)
			return true;
	}
	return false;
}

/* parameter = parameter-tag *WSP "=" *WSP parameter-value */
static bool
cur_param(struct caa_cur *c, struct mpic__caa_issue_value *out)
{
	struct mpic__caa_param *pm;
	size_t tag_start = c->off, tag_len, val_start, val_len;

	if (!cur_label(c))
		return false;
	tag_len = c->off - tag_start;
	cur_skip_wsp(c);
	if (c->off >= c->len || c->p[c->off] != '=')
		return false;
	c->off++;
	cur_skip_wsp(c);
	val_start = c->off;
	while (c->off < c->len && is_param_char(c->p[c->off]))
		c->off++;
	val_len = c->off - val_start;
	/*
	 * Only the parameters some decision reads are kept; the others
	 * passed the grammar and are ignored (RFC 8659 4.2), whatever their
	 * number or length.  A kept one too long to store is kept empty,
	 * which matches nothing (fails closed); past MPIC__CAA_MAX_PARAMS
	 * kept ones, the tags repeat, and a repeated tag matches nothing.
	 */
	if (!caa_param_used(c->p + tag_start, tag_len) ||
	    out->n_params >= MPIC__CAA_MAX_PARAMS)
		return true;
	pm = &out->params[out->n_params++];
	memcpy(pm->tag, c->p + tag_start, tag_len);
	pm->tag[tag_len] = '\0';
	if (val_len >= sizeof(pm->value))
		val_len = 0;
	memcpy(pm->value, c->p + val_start, val_len);
	pm->value[val_len] = '\0';
	return true;
}

/*
 * RFC 8659 4.2:
 *   issue-value = *WSP [issuer-domain-name *WSP]
 *                 [";" *WSP [parameters *WSP]]
 *   parameters  = (parameter *WSP ";" *WSP parameters) / parameter
 * A parameter list therefore may not end in ";" (but "ca;" may).
 */
static bool
caa_issue_grammar(struct caa_cur *c, struct mpic__caa_issue_value *out)
{
	cur_skip_wsp(c);
	if (c->off < c->len && is_alnum(c->p[c->off])) {
		if (!cur_issuer(c, out))
			return false;
		cur_skip_wsp(c);
	}
	if (c->off == c->len)
		return true;
	if (c->p[c->off] != ';')
		return false;
	c->off++;
	cur_skip_wsp(c);
	if (c->off == c->len)
		return true;
	for (;;) {
		if (!cur_param(c, out))
			return false;
		cur_skip_wsp(c);
		if (c->off == c->len)
			return true;
		if (c->p[c->off] != ';')
			return false;
		c->off++;
		cur_skip_wsp(c);
	}
}

int
mpic__caa_issue_value_parse(const uint8_t *v, size_t len,
			    struct mpic__caa_issue_value *out)
{
	struct caa_cur c = { v, len, 0 };
	int rc = MPIC_EINVAL;

	if (out == NULL)
		goto out;
	memset(out, 0, sizeof(*out));
	if (v == NULL && len > 0)
		goto out;
	/* A value that fails the grammar is data (a prohibition), not an error. */
	if (caa_issue_grammar(&c, out))
		out->valid = true;
	else
		memset(out, 0, sizeof(*out));
	rc = 0;
out:
	return rc;
}

/* ---------------------------------------------------------------- decision */

/*
 * A differently cased "AccountURI" still constrains, which fails closed;
 * and a persistent TXT's "PersistUntil" still expires.
 */
size_t
mpic__caa_param_find(const struct mpic__caa_issue_value *iv, const char *tag,
		     const char **first)
{
	size_t i, count = 0;

	*first = NULL;
	for (i = 0; i < iv->n_params; i++) {
		if (!ascii_case_eq(iv->params[i].tag, tag))
			continue;
		if (count++ == 0)
			*first = iv->params[i].value;
	}
	return count;
}

/*
 * RFC 8657 4: value = [*(label ",") label], label = 1*(ALPHA / DIGIT / "-").
 * Sets *listed when method (compared exactly) is one of the labels.
 * Returns false when the list fails the grammar.
 */
static bool
caa_methods_check(const char *list, const char *method, const char *alt,
		  bool *listed)
{
	const char *p = list, *start;
	size_t n, mlen = method != NULL ? strlen(method) : 0;
	size_t alen = alt != NULL ? strlen(alt) : 0;

	*listed = false;
	if (*p == '\0')
		return true;
	for (;;) {
		start = p;
		while (is_alnum((uint8_t)*p) || *p == '-')
			p++;
		n = (size_t)(p - start);
		if (n == 0)
			return false;
		if ((method != NULL && n == mlen &&
		    memcmp(start, method, n) == 0) || (alt != NULL &&
		    n == alen && memcmp(start, alt, n) == 0))
			*listed = true;
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

enum caa_match {
	CAA_MATCH = 0,
	CAA_NO_ISSUER,   /* invalid value, no issuer, or another issuer */
	CAA_PARAMS,      /* our issuer, but RFC 8657 parameters refuse */
};

static enum caa_match
caa_record_match(const struct mpic__caa_rr *rr, const struct mpic__caa_query *q,
		 char *why, size_t whylen)
{
	struct mpic__caa_issue_value iv;
	const char *acct, *methods;
	size_t i, n;
	bool ours = false, listed;

	why[0] = '\0';
	if (mpic__caa_issue_value_parse(rr->value, rr->value_len, &iv) != 0 ||
	    !iv.valid || iv.issuer[0] == '\0')
		return CAA_NO_ISSUER;
	for (i = 0; i < q->n_issuers && !ours; i++)
		if (q->issuer_domains[i] != NULL &&
		    mpic__caa_name_eq(iv.issuer, q->issuer_domains[i]))
			ours = true;
	if (!ours)
		return CAA_NO_ISSUER;

	n = mpic__caa_param_find(&iv, "accounturi", &acct);
	if (n > 1) {
		mpic__bufprintf(why, whylen, "accounturi is repeated");
		return CAA_PARAMS;
	}
	if (n == 1 && acct[0] == '\0') {
		mpic__bufprintf(why, whylen, "accounturi is empty");
		return CAA_PARAMS;
	}
	if (n == 1 && q->account_uri == NULL) {
		mpic__bufprintf(why, whylen,
		    "accounturi is set and the request has no account URI");
		return CAA_PARAMS;
	}
	if (n == 1 && strcmp(acct, q->account_uri) != 0) {
		mpic__bufprintf(why, whylen,
		    "accounturi is not the request's account %s",
		    q->account_uri);
		return CAA_PARAMS;
	}

	n = mpic__caa_param_find(&iv, "validationmethods", &methods);
	if (n > 1) {
		/* RFC 8657 is silent; an ambiguous constraint matches nothing. */
		mpic__bufprintf(why, whylen, "validationmethods is repeated");
		return CAA_PARAMS;
	}
	if (n == 1) {
		if (!caa_methods_check(methods, q->validation_method,
		    q->validation_method_alt, &listed)) {
			mpic__bufprintf(why, whylen,
			    "validationmethods is not a list of labels");
			return CAA_PARAMS;
		}
		if (q->validation_method == NULL) {
			mpic__bufprintf(why, whylen, "validationmethods is set "
			    "and the request names no method");
			return CAA_PARAMS;
		}
		if (!listed) {
			mpic__bufprintf(why, whylen,
			    "validationmethods does not list %s%s%s%s",
			    q->validation_method, q->validation_method_alt ?
			    " (or " : "", q->validation_method_alt ?
			    q->validation_method_alt : "",
			    q->validation_method_alt ? ")" : "");
			return CAA_PARAMS;
		}
	}
	return CAA_MATCH;
}

/* "ca.example" or "ca.example or ca2.example" for reason lines. */
static void
caa_issuers_text(const struct mpic__caa_query *q, char *buf, size_t size)
{
	struct mpic__sbuf sb = { buf, size, 0, false };
	size_t i, shown = 0;

	buf[0] = '\0';
	for (i = 0; i < q->n_issuers; i++) {
		if (q->issuer_domains[i] == NULL)
			continue;
		if (shown++ > 0)
			mpic__sbuf_puts(&sb, " or ");
		mpic__sbuf_put_escaped(&sb, (const uint8_t *)q->issuer_domains[i],
		    strlen(q->issuer_domains[i]));
	}
	if (shown == 0)
		mpic__bufprintf(buf, size, "(no issuer domain configured)");
	else if (sb.full)
		mpic__bufprintf(buf, size, "any of %zu issuer domains", shown);
}

bool
mpic__caa_permits(const struct mpic__caa_rr *set, size_t n,
		  const struct mpic__caa_query *q, char *reason,
		  size_t reasonlen)
{
	char scratch[1];
	char rrtext[4 * CAA_REASON_VALUE_MAX + 96];
	char why[256], near_why[256], near_rr[sizeof(rrtext)], who[512];
	const char *prop;
	size_t i, applicable = 0;
	bool permitted = false, near = false, have_wild = false;

	/* Callers may pass no reason buffer; write into a scratch byte then. */
	if (reason == NULL || reasonlen == 0) {
		reason = scratch;
		reasonlen = sizeof(scratch);
	}
	reason[0] = '\0';
	if (n == 0) {
		permitted = true;
		mpic__bufprintf(reason, reasonlen,
		    "no CAA records: issuance permitted");
		goto out;
	}
	if (set == NULL || q == NULL) {
		mpic__bufprintf(reason, reasonlen, "no record set or query");
		goto out;
	}

	/* RFC 8659 4.1: a critical property we do not know forbids issuance. */
	for (i = 0; i < n; i++) {
		if ((set[i].flags & CAA_FLAG_CRITICAL) == 0 ||
		    caa_tag_known(set[i].tag))
			continue;
		caa_rr_brief(&set[i], rrtext, sizeof(rrtext));
		caa_tag_text(set[i].tag, why, sizeof(why));
		mpic__bufprintf(reason, reasonlen,
		    "critical unknown tag \"%s\": %s", why, rrtext);
		goto out;
	}

	/*
	 * The property that applies: issuemail for S/MIME (RFC 9495);
	 * issuewild for a wildcard when the set has any, else issue.
	 */
	if (q->cert_type == MPIC_CERT_SMIME) {
		prop = "issuemail";
	} else {
		for (i = 0; i < n && q->is_wildcard; i++)
			if (ascii_case_eq(set[i].tag, "issuewild"))
				have_wild = true;
		prop = have_wild ? "issuewild" : "issue";
	}

	for (i = 0; i < n; i++) {
		if (!ascii_case_eq(set[i].tag, prop))
			continue;
		applicable++;
		switch (caa_record_match(&set[i], q, why, sizeof(why))) {
		case CAA_MATCH:
			caa_rr_brief(&set[i], rrtext, sizeof(rrtext));
			mpic__bufprintf(reason, reasonlen, "permitted by %s",
			    rrtext);
			permitted = true;
			goto out;
		case CAA_PARAMS:
			if (!near) {
				near = true;
				caa_rr_brief(&set[i], near_rr, sizeof(near_rr));
				memcpy(near_why, why, sizeof(near_why));
			}
			break;
		case CAA_NO_ISSUER:
			break;
		}
	}

	if (applicable == 0) {
		permitted = true;
		mpic__bufprintf(reason, reasonlen,
		    "no %s records in the set: issuance permitted", prop);
		goto out;
	}
	caa_issuers_text(q, who, sizeof(who));
	if (near)
		mpic__bufprintf(reason, reasonlen,
		    "no %s record authorizes %s: %s names it, but %s",
		    prop, who, near_rr, near_why);
	else
		mpic__bufprintf(reason, reasonlen,
		    "no %s record authorizes %s", prop, who);
out:
	return permitted;
}
