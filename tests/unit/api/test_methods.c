/*
 * test_methods.c - dcv_check_parameters: every validation method, its
 * defaults, its echo, and the bad inputs each one must refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_int.h"
#include "test_api.h"

/* A dcv request for target with the given dcv_check_parameters members. */
static const char *
dcv(const char *target, const char *params)
{
	static char buf[8192];
	char tmp[8192];

	mpic__bufprintf(tmp, sizeof(tmp), "{'check_type':'dcv',"
	    "'domain_or_ip_target':'%s','dcv_check_parameters':{%s}}",
	    target, params);
	mpic__bufprintf(buf, sizeof(buf), "%s", jq(tmp));
	return buf;
}

static void
echo_is(const struct mpic__request *req, const char *want)
{
	json_t *e = mpic__request_echo_dcv(req);
	char *s;

	assert_non_null(e);
	assert_null(mpic__request_echo_caa(req, NULL, 0));
	s = json_dumps(e, JSON_COMPACT);
	if (strcmp(s, jq(want)) != 0)
		print_error("echo %s\n want %s\n", s, jq(want));
	assert_string_equal(s, jq(want));
	free(s);
	json_decref(e);
}

/* A Random Value long enough for website-change and dns-change (20). */
#define RV "Xq3kZ9vT2mLp8wRb5nYc"
#define WC "'validation_method':'website-change','challenge_value':'" RV "',"

static const char KAH[] = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

static void
test_website_change(void **state)
{
	struct mpic__request req;

	(void)state;
	parse_ok(dcv("example.com", "'validation_method':'website-change',"
	    "'challenge_value':'" RV "','http_token_path':'token.txt'"), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_WEBSITE_CHANGE);
	assert_string_equal(req.dcv.url_scheme, "http");
	assert_true(req.dcv.require_exact_case);  /* spec default */
	assert_null(req.dcv.match_regex);
	assert_int_equal(req.dcv.n_headers, 0);
	echo_is(&req, "{'validation_method':'website-change',"
	    "'require_exact_case':true,'challenge_value':'" RV "',"
	    "'http_token_path':'token.txt','url_scheme':'http',"
	    "'http_headers':null,'match_regex':null}");
	mpic__request_release(&req);

	parse_ok(dcv("192.0.2.7", "'validation_method':'website-change',"
	    "'challenge_value':'" RV "','http_token_path':'d/t.txt?x=1',"
	    "'url_scheme':'https','require_exact_case':false,"
	    "'match_regex':'^[a-z]+abc$','http_headers':{'User-Agent':'ca',"
	    "'X-Trace':'1 2\\t3'}"), &req);
	assert_string_equal(req.dcv.url_scheme, "https");
	assert_false(req.dcv.require_exact_case);
	assert_string_equal(req.dcv.match_regex, "^[a-z]+abc$");
	assert_int_equal(req.dcv.n_headers, 2);
	assert_string_equal(req.dcv.headers[1].name, "X-Trace");
	assert_string_equal(req.dcv.headers[1].value, "1 2\t3");
	echo_is(&req, "{'validation_method':'website-change',"
	    "'require_exact_case':false,'challenge_value':'" RV "',"
	    "'http_token_path':'d/t.txt?x=1','url_scheme':'https',"
	    "'http_headers':{'User-Agent':'ca','X-Trace':'1 2\\t3'},"
	    "'match_regex':'^[a-z]+abc$'}");
	mpic__request_release(&req);

	/* Ordinary patterns, the spec's example among them. */
	parse_ok(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'^\\\\w*TOKENVAL\\\\w*$'"), &req);
	assert_string_equal(req.dcv.match_regex, "^\\w*TOKENVAL\\w*$");
	mpic__request_release(&req);
	parse_ok(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'[[:alpha:]]{2,5}(ab|c[]d]){3}x?y+[(]+'"), &req);
	mpic__request_release(&req);
	parse_ok(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'((a{10}){10}){10}'"), &req);
	mpic__request_release(&req);
	/* What Open MPIC's clients write (Python's re), refused or misread
	 * by POSIX: \d, inline flags, lazy quantifiers, named groups. */
	parse_ok(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'(?i)^\\\\s*value=\\\\d{3}.*?"
	    "(?P<h>[0-9a-f]+)(?P=h)?$'"), &req);
	assert_string_equal(req.dcv.match_regex,
	    "(?i)^\\s*value=\\d{3}.*?(?P<h>[0-9a-f]+)(?P=h)?$");
	mpic__request_release(&req);
	/* The POSIX cost guard is gone: PCRE2 compiles these in bounded
	 * size and its match limits bound the search (unit-regex). */
	parse_ok(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'((a{50}){50}){50}'"), &req);
	mpic__request_release(&req);
	parse_ok(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'(a*)\\\\1(a+)+$'"), &req);
	mpic__request_release(&req);

	/* Empty match_regex and null fields are "not given". */
	parse_ok(dcv("example.com", "'validation_method':'website-change',"
	    "'challenge_value':'" RV "','http_token_path':'t',"
	    "'match_regex':'',"
	    "'url_scheme':null,'http_headers':null"), &req);
	assert_null(req.dcv.match_regex);
	mpic__request_release(&req);
}

static void
test_website_change_bad(void **state)
{
	char p[2048];
	int i;

	(void)state;
	parse_bad(dcv("example.com", "'validation_method':'website-change',"
	    "'http_token_path':'t'"), MPIC__ISSUE_MISSING_FIELD,
	    "dcv_check_parameters.challenge_value: required");
	parse_bad(dcv("example.com", WC "'http_token_path':'../etc/passwd'"),
	    MPIC__ISSUE_FIELD_VALUE, "http_token_path: must not contain \"..\"");
	parse_bad(dcv("example.com", WC "'http_token_path':'a/..'"),
	    MPIC__ISSUE_FIELD_VALUE, "http_token_path");
	parse_bad(dcv("example.com", WC "'http_token_path':'%2e%2e/x'"),
	    MPIC__ISSUE_FIELD_VALUE, "encoded");
	parse_bad(dcv("example.com", WC "'http_token_path':'/abs'"),
	    MPIC__ISSUE_FIELD_VALUE, "no leading '/'");
	parse_bad(dcv("example.com", WC "'http_token_path':'a b'"),
	    MPIC__ISSUE_FIELD_VALUE, "not allowed in a URL path");
	parse_bad(dcv("example.com", WC "'http_token_path':'a\\r\\nb'"),
	    MPIC__ISSUE_FIELD_VALUE, "not allowed in a URL path");
	parse_bad(dcv("example.com", WC "'http_token_path':'a#b'"),
	    MPIC__ISSUE_FIELD_VALUE, "not allowed in a URL path");
	parse_bad(dcv("example.com", WC "'http_token_path':'a%zz'"),
	    MPIC__ISSUE_FIELD_VALUE, "hex digits");
	parse_bad(dcv("example.com", WC "'http_token_path':''"),
	    MPIC__ISSUE_FIELD_VALUE, "http_token_path: must not be empty");
	mpic__bufprintf(p, sizeof(p), WC "'http_token_path':'%0*d'", 513, 0);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
	    "http_token_path: longer than 512");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'url_scheme':'ftp'"), MPIC__ISSUE_FIELD_VALUE,
	    "url_scheme: must be http or https");
	/* PCRE2's reason and where, in octets from the start */
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'a(b'"), MPIC__ISSUE_FIELD_VALUE,
	    "dcv_check_parameters.match_regex: missing closing parenthesis "
	    "at offset 3");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'x[z-a]'"), MPIC__ISSUE_FIELD_VALUE,
	    "match_regex: range out of order in character class at offset 4");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'a+++(b'"), MPIC__ISSUE_FIELD_VALUE,
	    "match_regex: quantifier does not follow a repeatable item at "
	    "offset 3");
	/* Python escapes PCRE2 does not have: a 400, never a misreading */
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'caf\\\\u00e9'"), MPIC__ISSUE_FIELD_VALUE,
	    "match_regex: PCRE2 does not support");
	/* \C would split UTF-8 characters */
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'match_regex':'a\\\\Cb'"), MPIC__ISSUE_FIELD_VALUE,
	    "match_regex: using \\C is disabled");
	mpic__bufprintf(p, sizeof(p), WC "'http_token_path':'t',"
	    "'match_regex':'%0*d'", 257, 0);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
	    "match_regex: longer than 256");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'require_exact_case':'yes'"), MPIC__ISSUE_FIELD_TYPE,
	    "require_exact_case: must be true or false");
	/* Headers. */
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':{'X-A':'a\\r\\nX-Evil: 1'}"),
	    MPIC__ISSUE_FIELD_VALUE, "http_headers.X-A: value has CR, LF");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':{'X-A':'a\\nb'}"),
	    MPIC__ISSUE_FIELD_VALUE, "value has CR, LF");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':{'Bad Name':'x'}"),
	    MPIC__ISSUE_FIELD_VALUE, "\"Bad Name\" is not a header name");
	parse_bad(dcv("example.com", WC "'http_headers':{'X:Y':'x'},"
	    "'http_token_path':'t'"),
	    MPIC__ISSUE_FIELD_VALUE, "is not a header name");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':{'':'x'}"),
	    MPIC__ISSUE_FIELD_VALUE, "is not a header name");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':{'X-A':1}"),
	    MPIC__ISSUE_FIELD_TYPE, "http_headers.X-A: must be a string");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':['X-A']"),
	    MPIC__ISSUE_FIELD_TYPE, "http_headers: must be an object");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':{'Host':'evil.example'}"),
	    MPIC__ISSUE_FIELD_VALUE, "http_headers.Host: may not be set");
	parse_bad(dcv("example.com", WC "'http_token_path':'t',"
	    "'http_headers':{'X-A':'1','x-a':'2'}"),
	    MPIC__ISSUE_FIELD_VALUE, "http_headers.x-a: given twice");
	mpic__bufprintf(p, sizeof(p), WC "'http_token_path':'t',"
	    "'http_headers':{");
	for (i = 0; i <= MPIC__MAX_HTTP_HEADERS; i++)
		mpic__bufprintf(p + strlen(p), sizeof(p) - strlen(p),
		    "%s'H%d':'v'", i ? "," : "", i);
	mpic__bufprintf(p + strlen(p), sizeof(p) - strlen(p), "}");
	parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
	    "more than 16 headers");
	/* Other methods' fields are unknown here. */
	parse_bad(dcv("example.com", WC "'http_token_path':'t','token':'x'"),
	    MPIC__ISSUE_UNKNOWN_FIELD, "dcv_check_parameters.token: unknown");
	/* BR 3.2.2.4.18: not for wildcard names. */
	parse_bad(dcv("*.example.com", WC "'http_token_path':'t'"),
	    MPIC__ISSUE_TARGET, "wildcard");
}

/* An ACME token (RFC 8555 8.3) and a JWK thumbprint (8.1). */
#define TOK "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define THUMB "nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ"
#define H01 "'validation_method':'acme-http-01',"

static void
test_acme_http(void **state)
{
	struct mpic__request req;

	(void)state;
	parse_ok(dcv("example.com", H01 "'token':'" TOK "',"
	    "'key_authorization':'" TOK "." THUMB "'"), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_ACME_HTTP_01);
	assert_string_equal(req.dcv.token, TOK);
	assert_string_equal(req.dcv.key_authorization, TOK "." THUMB);
	echo_is(&req, "{'validation_method':'acme-http-01',"
	    "'require_exact_case':true,'token':'" TOK "',"
	    "'key_authorization':'" TOK "." THUMB "','http_headers':null}");
	mpic__request_release(&req);
	/* IP targets are fine (BR 3.2.2.5.6). */
	parse_ok(dcv("2001:db8::1", H01 "'token':'" TOK "',"
	    "'key_authorization':'" TOK "." THUMB "',"
	    "'http_headers':{'Accept':'*/*'}"), &req);
	assert_int_equal(req.dcv.n_headers, 1);
	mpic__request_release(&req);

	parse_bad(dcv("example.com", H01 "'token':'abc=',"
	    "'key_authorization':'" TOK "." THUMB "'"),
	    MPIC__ISSUE_FIELD_VALUE, "dcv_check_parameters.token: must be "
	    "base64url");
	parse_bad(dcv("example.com", H01 "'token':'a/b',"
	    "'key_authorization':'x'"),
	    MPIC__ISSUE_FIELD_VALUE, "token: must be base64url");
	parse_bad(dcv("example.com", H01 "'token':'','key_authorization':'x'"),
	    MPIC__ISSUE_FIELD_VALUE, "token: must not be empty");
	parse_bad(dcv("example.com", H01 "'key_authorization':'x'"),
	    MPIC__ISSUE_MISSING_FIELD, "token: required");
	parse_bad(dcv("example.com", H01 "'token':'" TOK "'"),
	    MPIC__ISSUE_MISSING_FIELD, "key_authorization: required");
	parse_bad(dcv("*.example.com", H01 "'token':'" TOK "',"
	    "'key_authorization':'" TOK "." THUMB "'"),
	    MPIC__ISSUE_TARGET, "acme-http-01 cannot validate a wildcard");
}

/* RFC 8555 8.3: a token of >= 128 bits; 8.1: token "." thumbprint. */
static void
test_acme_http_shape(void **state)
{
	static const char *const bad_ka[] = {
	    "a b",                              /* not base64url */
	    TOK,                                /* no thumbprint */
	    TOK ".",                            /* empty thumbprint */
	    TOK "." "nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcer", /* 42 */
	    TOK "." THUMB "Q",                  /* 44 */
	    TOK "." THUMB "=",                  /* padding */
	    TOK "." "nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcer+", /* not */
	    TOK "." THUMB "." THUMB,            /* two dots */
	    "." THUMB,                          /* no token */
	    "ev/aGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA." THUMB,
	    "ok.web.lab",                       /* what echo tests sent */
	};
	static const char *const other_token[] = {
	    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oB." THUMB,
	    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-o." THUMB,
	    TOK "A." THUMB,
	};
	struct mpic__request req;
	char p[512];
	size_t i;

	(void)state;
	/* 21 characters: refused, with the minimum named; 22: accepted. */
	parse_bad(dcv("example.com", H01 "'token':'abcdefghijklmnopqrstu',"
	    "'key_authorization':'abcdefghijklmnopqrstu." THUMB "'"),
	    MPIC__ISSUE_FIELD_VALUE, "token: must have at least 22 base64url "
	    "characters (128 bits, RFC 8555 8.3), this one has 21");
	parse_ok(dcv("example.com", H01 "'token':'abcdefghijklmnopqrstuv',"
	    "'key_authorization':'abcdefghijklmnopqrstuv." THUMB "'"), &req);
	assert_string_equal(req.dcv.token, "abcdefghijklmnopqrstuv");
	mpic__request_release(&req);
	/* The lab's old behaviour paths were tokens. */
	parse_bad(dcv("example.com", H01 "'token':'r301',"
	    "'key_authorization':'r301." THUMB "'"),
	    MPIC__ISSUE_FIELD_VALUE, "this one has 4");

	for (i = 0; i < sizeof(bad_ka) / sizeof(bad_ka[0]); i++) {
		mpic__bufprintf(p, sizeof(p), H01 "'token':'" TOK "',"
		    "'key_authorization':'%s'", bad_ka[i]);
		parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
		    "key_authorization: must be the token, \".\" and the 43 "
		    "base64url characters of a SHA-256 JWK thumbprint");
	}
	for (i = 0; i < sizeof(other_token) / sizeof(other_token[0]); i++) {
		mpic__bufprintf(p, sizeof(p), H01 "'token':'" TOK "',"
		    "'key_authorization':'%s'", other_token[i]);
		parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
		    "key_authorization: must begin with the token");
	}
	/* A bad token: the key authorization's shape is still checked. */
	parse_bad(dcv("example.com", H01 "'token':'short',"
	    "'key_authorization':'short.x'"), MPIC__ISSUE_FIELD_VALUE,
	    "key_authorization: must be the token");
}

static void
test_acme_dns(void **state)
{
	struct mpic__request req;
	char p[256];

	(void)state;
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':'%s'", KAH);
	parse_ok(dcv("*.example.com", p), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_ACME_DNS_01);
	assert_string_equal(req.dcv.key_authorization_hash, KAH);
	assert_int_equal(req.dcv.key_authorization_digest[0], 0x2e);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_TXT);
	assert_null(req.dcv.dns_name_prefix);
	echo_is(&req, "{'validation_method':'acme-dns-01',"
	    "'require_exact_case':true,'key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0',"
	    "'dns_record_type':'TXT','dns_name_prefix':'_acme-challenge'}");
	mpic__request_release(&req);
	/* The fields Open MPIC's own model fixes may be sent. */
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':'%s','dns_record_type':'TXT',"
	    "'dns_name_prefix':'_acme-challenge','require_exact_case':true",
	    KAH);
	parse_ok(dcv("example.com", p), &req);
	mpic__request_release(&req);
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':'%s','dns_record_type':'CNAME'", KAH);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
	    "dns_record_type: must be \"TXT\" for acme-dns-01");
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':'%s','dns_name_prefix':'_x'", KAH);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
	    "dns_name_prefix: must be \"_acme-challenge\"");
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':'%s'", KAH);
	parse_bad(dcv("192.0.2.1", p), MPIC__ISSUE_TARGET,
	    "acme-dns-01 needs a domain name");
	/* 44 chars, padding, hex, bad alphabet, non-canonical last char. */
	parse_bad(dcv("example.com", "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0='"),
	    MPIC__ISSUE_FIELD_VALUE, "key_authorization_hash: must be 43");
	parse_bad(dcv("example.com", "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':'2e8a97718"
	    "57cab938d6c94316e647b4824cda37b620170dfa30ca3c408c4b97d'"),
	    MPIC__ISSUE_FIELD_VALUE, "key_authorization_hash: must be 43");
	parse_bad(dcv("example.com", "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX+'"),
	    MPIC__ISSUE_FIELD_VALUE, "key_authorization_hash");
	parse_bad(dcv("example.com", "'validation_method':'acme-dns-01',"
	    "'key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX1'"),
	    MPIC__ISSUE_FIELD_VALUE, "key_authorization_hash");
	parse_bad(dcv("example.com", "'validation_method':'acme-dns-01'"),
	    MPIC__ISSUE_MISSING_FIELD, "key_authorization_hash: required");
}

static void
test_tls_alpn(void **state)
{
	static const char hex[] = "2e8a9771857cab938d6c94316e647b48"
	    "24cda37b620170dfa30ca3c408c4b97d";
	struct mpic__request req;
	uint8_t want[32];
	char p[256];

	(void)state;
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-tls-alpn-01',"
	    "'key_authorization_hash':'%s'", KAH);
	parse_ok(dcv("example.com", p), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_ACME_TLS_ALPN_01);
	memcpy(want, req.dcv.key_authorization_digest, 32);
	assert_false(req.dcv.require_exact_case);
	echo_is(&req, "{'validation_method':'acme-tls-alpn-01',"
	    "'require_exact_case':false,'key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0'}");
	mpic__request_release(&req);
	/* The same digest as 64 hex digits, either case. */
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-tls-alpn-01',"
	    "'key_authorization_hash':'%s'", hex);
	parse_ok(dcv("192.0.2.1", p), &req);
	assert_memory_equal(req.dcv.key_authorization_digest, want, 32);
	mpic__request_release(&req);
	parse_ok(dcv("example.com", "'validation_method':'acme-tls-alpn-01',"
	    "'key_authorization_hash':'2E8A9771857CAB938D6C94316E647B48"
	    "24CDA37B620170DFA30CA3C408C4B97D'"), &req);
	assert_memory_equal(req.dcv.key_authorization_digest, want, 32);
	mpic__request_release(&req);

	parse_bad(dcv("example.com", "'validation_method':'acme-tls-alpn-01',"
	    "'key_authorization_hash':'2e8a9771857cab938d6c94316e647b48"
	    "24cda37b620170dfa30ca3c408c4b97g'"), MPIC__ISSUE_FIELD_VALUE,
	    "or 64 hex digits");
	parse_bad(dcv("example.com", "'validation_method':'acme-tls-alpn-01',"
	    "'key_authorization_hash':'2e8a97'"), MPIC__ISSUE_FIELD_VALUE,
	    "key_authorization_hash");
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-tls-alpn-01',"
	    "'key_authorization_hash':'%s'", KAH);
	parse_bad(dcv("*.example.com", p), MPIC__ISSUE_TARGET, "wildcard");
	mpic__bufprintf(p, sizeof(p), "'validation_method':'acme-tls-alpn-01',"
	    "'key_authorization_hash':'%s','dns_record_type':'TXT'", KAH);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_UNKNOWN_FIELD,
	    "dns_record_type: unknown");
}

static void
test_dns_change(void **state)
{
	struct mpic__request req;
	char p[512];

	(void)state;
	parse_ok(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'TXT'"), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_DNS_CHANGE);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_TXT);
	assert_true(req.dcv.require_exact_case);
	assert_false(req.dcv.require_exact_match);
	assert_null(req.dcv.dns_name_prefix);
	echo_is(&req, "{'validation_method':'dns-change',"
	    "'require_exact_case':true,'challenge_value':'" RV "',"
	    "'dns_name_prefix':null,'dns_record_type':'TXT',"
	    "'require_exact_match':false}");
	mpic__request_release(&req);

	parse_ok(dcv("*.example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'CNAME',"
	    "'dns_name_prefix':'_DCV.sub','require_exact_match':true,"
	    "'require_exact_case':true"), &req);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_CNAME);
	assert_string_equal(req.dcv.dns_name_prefix, "_dcv.sub");
	assert_true(req.dcv.require_exact_match);
	assert_false(req.dcv.require_exact_case);  /* names: no case */
	mpic__request_release(&req);

	parse_ok(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'CAA',"
	    "'dns_name_prefix':''"), &req);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_CAA);
	assert_null(req.dcv.dns_name_prefix);
	mpic__request_release(&req);

	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "'"), MPIC__ISSUE_MISSING_FIELD,
	    "dns_record_type: required");
	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'A'"),
	    MPIC__ISSUE_FIELD_VALUE, "\"A\" is not one of TXT, CNAME, CAA");
	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'txt'"),
	    MPIC__ISSUE_FIELD_VALUE, "dns_record_type");
	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'','dns_record_type':'TXT'"),
	    MPIC__ISSUE_FIELD_VALUE, "challenge_value: must not be empty");
	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'a\\u00e9','dns_record_type':'TXT'"),
	    MPIC__ISSUE_FIELD_VALUE, "challenge_value: must be printable");
	mpic__bufprintf(p, sizeof(p), "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'TXT',"
	    "'dns_name_prefix':'_%0*d'", 63, 0);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
	    "dns_name_prefix: label 1 is longer than 63");
	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'TXT',"
	    "'dns_name_prefix':'a..b'"), MPIC__ISSUE_FIELD_VALUE,
	    "dns_name_prefix: label 2 is empty");
	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'TXT',"
	    "'dns_name_prefix':'a b'"), MPIC__ISSUE_FIELD_VALUE,
	    "dns_name_prefix");
	parse_bad(dcv("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'TXT',"
	    "'require_exact_match':1"), MPIC__ISSUE_FIELD_TYPE,
	    "require_exact_match: must be true or false");
	parse_bad(dcv("192.0.2.1", "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'TXT'"),
	    MPIC__ISSUE_TARGET, "dns-change needs a domain name");
	/* Prefix and target over 253 octets together. */
	mpic__bufprintf(p, sizeof(p), "'validation_method':'dns-change',"
	    "'challenge_value':'" RV "','dns_record_type':'TXT',"
	    "'dns_name_prefix':'%0*d.%0*d.%0*d.%0*d'", 60, 0, 60, 0, 60, 0,
	    60, 0);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
	    "prefix and target together");
}

/*
 * BR 1.6.1: a Random Value carries at least 112 bits of entropy, so at
 * least 18 printable ASCII characters (17 x log2(95) = 111.7 bits).
 */
static void
test_random_value_length(void **state)
{
	static const char *const methods[] = {
	    "'validation_method':'website-change','http_token_path':'t'",
	    "'validation_method':'dns-change','dns_record_type':'TXT'"};
	struct mpic__request req;
	char p[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		/* 17 characters: refused, with the minimum named. */
		mpic__bufprintf(p, sizeof(p), "%s,'challenge_value':"
		    "'abcdefghijklmnopq'", methods[i]);
		parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
		    "challenge_value: a Random Value needs at least 18 "
		    "characters");
		/* 18: accepted. */
		mpic__bufprintf(p, sizeof(p), "%s,'challenge_value':"
		    "'abcdefghijklmnopqr'", methods[i]);
		parse_ok(dcv("example.com", p), &req);
		assert_string_equal(req.dcv.challenge_value,
		    "abcdefghijklmnopqr");
		mpic__request_release(&req);
		/* Surrounding spaces do not count; inner ones do. */
		mpic__bufprintf(p, sizeof(p), "%s,'challenge_value':"
		    "'  abcdefghijklmnopq   '", methods[i]);
		parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
		    "has 17");
		mpic__bufprintf(p, sizeof(p), "%s,'challenge_value':"
		    "' abcdefgh ijklmnopq '", methods[i]);
		parse_ok(dcv("example.com", p), &req);
		mpic__request_release(&req);
		/* The review's examples. */
		mpic__bufprintf(p, sizeof(p), "%s,'challenge_value':'e'",
		    methods[i]);
		parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
		    "has 1");
		mpic__bufprintf(p, sizeof(p), "%s,'challenge_value':'%20s'",
		    methods[i], "");
		parse_bad(dcv("example.com", p), MPIC__ISSUE_FIELD_VALUE,
		    "has 0");
	}
	/* Not a Random Value: an address, a number, a name, an IP. */
	parse_ok(dcv("example.com", "'validation_method':'contact-email-txt',"
	    "'challenge_value':'a@b.example'"), &req);
	mpic__request_release(&req);
	parse_ok(dcv("example.com", "'validation_method':'contact-phone-caa',"
	    "'challenge_value':'+15550100'"), &req);
	mpic__request_release(&req);
	parse_ok(dcv("192.0.2.1", "'validation_method':"
	    "'reverse-address-lookup','challenge_value':'h.example'"), &req);
	mpic__request_release(&req);
	parse_ok(dcv("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'192.0.2.1','dns_record_type':'A'"), &req);
	mpic__request_release(&req);
}

static void
test_dns_persistent(void **state)
{
	struct mpic__request req;

	(void)state;
	parse_ok(dcv("example.com", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['CA.example.com','ca.example.org'],"
	    "'expected_account_uri':'https://ca.example.com/acct/12345'"),
	    &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_DNS_PERSISTENT);
	assert_int_equal(req.dcv.n_issuer_domain_names, 2);
	assert_string_equal(req.dcv.issuer_domain_names[0], "ca.example.com");
	assert_string_equal(req.dcv.expected_account_uri,
	    "https://ca.example.com/acct/12345");
	echo_is(&req, "{'validation_method':'dns-persistent',"
	    "'require_exact_case':false,'dns_record_type':'TXT',"
	    "'dns_name_prefix':'_validation-persist',"
	    "'issuer_domain_names':['ca.example.com','ca.example.org'],"
	    "'expected_account_uri':'https://ca.example.com/acct/12345'}");
	mpic__request_release(&req);
	/* BR 3.2.2.5.8: IP targets too. */
	parse_ok(dcv("192.0.2.1", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['ca.example'],'dns_record_type':'TXT',"
	    "'dns_name_prefix':'_validation-persist',"
	    "'expected_account_uri':'urn:x'"), &req);
	mpic__request_release(&req);

	parse_bad(dcv("example.com", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':[],'expected_account_uri':'urn:x'"),
	    MPIC__ISSUE_FIELD_VALUE, "issuer_domain_names: must not be empty");
	parse_bad(dcv("example.com", "'validation_method':'dns-persistent',"
	    "'expected_account_uri':'urn:x'"),
	    MPIC__ISSUE_MISSING_FIELD, "issuer_domain_names: required");
	parse_bad(dcv("example.com", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':[''],'expected_account_uri':'urn:x'"),
	    MPIC__ISSUE_FIELD_VALUE, "issuer_domain_names[0]");
	parse_bad(dcv("example.com", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['ca.example']"),
	    MPIC__ISSUE_MISSING_FIELD, "expected_account_uri: required");
	parse_bad(dcv("example.com", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['ca.example'],"
	    "'expected_account_uri':'not a uri'"),
	    MPIC__ISSUE_FIELD_VALUE, "expected_account_uri: must be a URI");
	parse_bad(dcv("example.com", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['ca.example'],"
	    "'expected_account_uri':'noscheme'"),
	    MPIC__ISSUE_FIELD_VALUE, "expected_account_uri: must be a URI");
}

static void
test_dns_account(void **state)
{
	struct mpic__request req;
	char p[512];

	(void)state;
	mpic__bufprintf(p, sizeof(p), "'validation_method':'dns-account-01',"
	    "'account_uri':'https://example.com/acme/acct/ExampleAccount',"
	    "'key_authorization_hash':'%s'", KAH);
	parse_ok(dcv("*.example.com", p), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_DNS_ACCOUNT_01);
	assert_string_equal(req.dcv.account_uri,
	    "https://example.com/acme/acct/ExampleAccount");
	echo_is(&req, "{'validation_method':'dns-account-01',"
	    "'require_exact_case':true,"
	    "'account_uri':'https://example.com/acme/acct/ExampleAccount',"
	    "'key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0',"
	    "'dns_record_type':'TXT',"
	    "'dns_name_prefix':'_ujmmovf2vn55tgye._acme-challenge'}");
	mpic__request_release(&req);

	mpic__bufprintf(p, sizeof(p), "'validation_method':'dns-account-01',"
	    "'key_authorization_hash':'%s'", KAH);
	parse_bad(dcv("example.com", p), MPIC__ISSUE_MISSING_FIELD,
	    "account_uri: required");
	parse_bad(dcv("example.com", "'validation_method':'dns-account-01',"
	    "'account_uri':'https://ca.example/a/1',"
	    "'key_authorization_hash':'abc'"), MPIC__ISSUE_FIELD_VALUE,
	    "key_authorization_hash: must be 43");
}

static void
test_contact_methods(void **state)
{
	struct mpic__request req;

	(void)state;
	parse_ok(dcv("example.com", "'validation_method':'contact-email-txt',"
	    "'challenge_value':'admin@example.com'"), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_CONTACT_EMAIL_TXT);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_TXT);
	echo_is(&req, "{'validation_method':'contact-email-txt',"
	    "'require_exact_case':false,'challenge_value':'admin@example.com',"
	    "'dns_name_prefix':'_validation-contactemail',"
	    "'dns_record_type':'TXT'}");
	mpic__request_release(&req);

	parse_ok(dcv("example.com", "'validation_method':'contact-email-caa',"
	    "'challenge_value':'admin@example.com','dns_record_type':'CAA',"
	    "'dns_name_prefix':null"), &req);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_CAA);
	echo_is(&req, "{'validation_method':'contact-email-caa',"
	    "'require_exact_case':false,'challenge_value':'admin@example.com',"
	    "'dns_name_prefix':null,'dns_record_type':'CAA'}");
	mpic__request_release(&req);

	parse_ok(dcv("example.com", "'validation_method':'contact-phone-txt',"
	    "'challenge_value':'+1 555 0100',"
	    "'dns_name_prefix':'_validation-contactphone'"), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_CONTACT_PHONE_TXT);
	mpic__request_release(&req);

	parse_ok(dcv("*.example.com", "'validation_method':"
	    "'contact-phone-caa','challenge_value':'+15550100'"), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_CONTACT_PHONE_CAA);
	mpic__request_release(&req);

	parse_bad(dcv("example.com", "'validation_method':'contact-phone-txt',"
	    "'challenge_value':'1','dns_name_prefix':'_other'"),
	    MPIC__ISSUE_FIELD_VALUE,
	    "must be \"_validation-contactphone\" for contact-phone-txt");
	parse_bad(dcv("example.com", "'validation_method':'contact-email-caa',"
	    "'challenge_value':'a@b','dns_name_prefix':'_x'"),
	    MPIC__ISSUE_FIELD_VALUE, "must be null or empty");
	parse_bad(dcv("example.com", "'validation_method':'contact-email-caa',"
	    "'challenge_value':'a@b','dns_record_type':'TXT'"),
	    MPIC__ISSUE_FIELD_VALUE, "must be \"CAA\"");
	parse_bad(dcv("example.com", "'validation_method':'contact-email-txt'"),
	    MPIC__ISSUE_MISSING_FIELD, "challenge_value: required");
	parse_bad(dcv("192.0.2.1", "'validation_method':'contact-email-txt',"
	    "'challenge_value':'a@b'"), MPIC__ISSUE_TARGET,
	    "needs a domain name");
}

static void
test_ip_methods(void **state)
{
	struct mpic__request req;

	(void)state;
	parse_ok(dcv("192.0.2.1", "'validation_method':"
	    "'reverse-address-lookup','challenge_value':'host.example.com'"),
	    &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_REVERSE_ADDRESS_LOOKUP);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_PTR);
	echo_is(&req, "{'validation_method':'reverse-address-lookup',"
	    "'require_exact_case':false,'challenge_value':'host.example.com',"
	    "'dns_name_prefix':null,'dns_record_type':'PTR'}");
	mpic__request_release(&req);
	parse_bad(dcv("example.com", "'validation_method':"
	    "'reverse-address-lookup','challenge_value':'h.example'"),
	    MPIC__ISSUE_TARGET, "needs an IP address");

	parse_ok(dcv("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'192.0.2.1','dns_record_type':'A'"), &req);
	assert_int_equal(req.dcv.method, MPIC__DCV_IP_ADDRESS);
	assert_int_equal(req.dcv.dns_record_type, MPIC__RR_A);
	echo_is(&req, "{'validation_method':'ip-address',"
	    "'require_exact_case':false,'challenge_value':'192.0.2.1',"
	    "'dns_name_prefix':null,'dns_record_type':'A'}");
	mpic__request_release(&req);
	parse_ok(dcv("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'2001:db8::1','dns_record_type':'AAAA',"
	    "'dns_name_prefix':'www'"), &req);
	assert_string_equal(req.dcv.dns_name_prefix, "www");
	mpic__request_release(&req);
	parse_bad(dcv("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'2001:db8::1','dns_record_type':'A'"),
	    MPIC__ISSUE_FIELD_VALUE, "IPv6 address cannot be found with "
	    "dns_record_type A");
	parse_bad(dcv("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'host','dns_record_type':'A'"),
	    MPIC__ISSUE_FIELD_VALUE, "challenge_value: must be an IP address");
	parse_bad(dcv("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'192.0.2.1','dns_record_type':'TXT'"),
	    MPIC__ISSUE_FIELD_VALUE, "is not one of A, AAAA");
	parse_bad(dcv("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'192.0.2.1'"),
	    MPIC__ISSUE_MISSING_FIELD, "dns_record_type: required");
}

static void
test_dcv_structure(void **state)
{
	(void)state;
	parse_bad(jq("{'check_type':'dcv','domain_or_ip_target':'a.example'}"),
	    MPIC__ISSUE_MISSING_FIELD, "dcv_check_parameters: required");
	parse_bad(jq("{'check_type':'dcv','domain_or_ip_target':'a.example',"
	    "'dcv_check_parameters':null}"),
	    MPIC__ISSUE_MISSING_FIELD, "dcv_check_parameters: required");
	parse_bad(jq("{'check_type':'dcv','domain_or_ip_target':'a.example',"
	    "'dcv_check_parameters':'acme-dns-01'}"),
	    MPIC__ISSUE_FIELD_TYPE, "dcv_check_parameters: must be an object");
	parse_bad(dcv("a.example", "'challenge_value':'x'"),
	    MPIC__ISSUE_MISSING_FIELD, "validation_method: required");
	parse_bad(dcv("a.example", "'validation_method':'http-01'"),
	    MPIC__ISSUE_METHOD, "\"http-01\" is not a known method");
	parse_bad(dcv("a.example", "'validation_method':7"),
	    MPIC__ISSUE_FIELD_TYPE, "validation_method: must be a string");
	parse_bad(jq("{'check_type':'dcv','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{},'dcv_check_parameters':{"
	    "'validation_method':'contact-email-txt','challenge_value':'x'}}"),
	    MPIC__ISSUE_UNKNOWN_FIELD, "not allowed with check_type dcv");
	/* A bad target and bad parameters are both reported. */
	{
		struct mpic__request req;
		struct mpic__issues is;
		const char *j = dcv("-bad.example", H01 "'token':'a=',"
		    "'key_authorization':'" TOK "." THUMB "'");

		assert_int_equal(mpic__request_parse(j, strlen(j), &req, &is),
		    MPIC_EINVAL);
		assert_int_equal(is.n, 2);
	}
}

int
api_tests_methods(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_website_change),
		cmocka_unit_test(test_website_change_bad),
		cmocka_unit_test(test_acme_http),
		cmocka_unit_test(test_acme_http_shape),
		cmocka_unit_test(test_acme_dns),
		cmocka_unit_test(test_tls_alpn),
		cmocka_unit_test(test_dns_change),
		cmocka_unit_test(test_random_value_length),
		cmocka_unit_test(test_dns_persistent),
		cmocka_unit_test(test_dns_account),
		cmocka_unit_test(test_contact_methods),
		cmocka_unit_test(test_ip_methods),
		cmocka_unit_test(test_dcv_structure),
	};

	return cmocka_run_group_tests_name("methods", tests, NULL, NULL);
}
