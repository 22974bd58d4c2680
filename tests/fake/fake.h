/*
 * fake.h - the test doubles the in-process scenario runner links in place
 * of the network (docs/testing.md):
 *
 *   fake_unbound.c  libunbound's event API (the functions lib/dns/resolver.c
 *                   calls), answering from scenario data: zones with their
 *                   DNSSEC state and server behaviour, records in zone-file
 *                   syntax, and answers given outright.  resolver.c and every
 *                   check above it run unchanged.
 *   fake_web.c      mpic__net_socket() (lib/util/netsock.h): every
 *                   connection of the web checks goes to an in-process
 *                   server that plays the address asked for: HTTP paths,
 *                   TLS, acme-tls-alpn-01 certificates (fake_web_tls.c).
 *   fake_persp.c    mpic__persp_local_new(): an in-process perspective
 *                   whose checks a scenario may script (pass, fail, error,
 *                   never answer, after a delay), for the engine's logic.
 *
 * The swap is made by the linker (tests/scenarios/meson.build): the
 * runner links these objects whole and the library's objects as an
 * archive without libunbound, so the library's own definitions are never
 * pulled in.  Time: every delay is a libevent timer on the caller's base,
 * in milliseconds, ties broken in the order the answers were scheduled.
 */
#ifndef MPIC_TEST_FAKE_H
#define MPIC_TEST_FAKE_H

#include <stddef.h>

#include <jansson.h>

/* ---------------------------------------------------------------- DNS */

struct fake_dns;

/*
 * Build a DNS world from its description (docs/testing.md, "dns"): zones,
 * records, answers, views.  parent (or NULL) is consulted after it: a
 * case's world extends its file's.  Returns 0, or -1 with the reason in
 * err.  *out is the caller's: fake_dns_free().
 */
int fake_dns_new(const json_t *spec, const struct fake_dns *parent,
		 struct fake_dns **out, char *err, size_t errlen);
void fake_dns_free(struct fake_dns *w);
/*
 * The world every resolver context answers from, from now on (NULL: none,
 * every lookup fails to start).  w must outlive the contexts' lookups.
 * Clears the query log.
 */
void fake_dns_use(const struct fake_dns *w);
/* The lookups made since fake_dns_use(), in order: [{view, name, type}]
 * (new reference). */
json_t *fake_dns_queries(void);
/* Lookups scheduled to answer (not silent ones). */
size_t fake_dns_pending(void);
/*
 * n > 0: every ub_resolve_event() also answers, inside the call, up to n
 * other lookups of its context that are scheduled to answer (the oldest
 * first), as libunbound does when it finds their answers while taking a
 * new query: the recursion of commit 04363e5 (tests/fake/test_nesting.c).
 * 0 (the default): each lookup answers from its own timer.
 */
void fake_dns_drain_on_resolve(unsigned n);

/* ---------------------------------------------------------------- web */

struct fake_web;
struct event_base;

/*
 * Build a web from its description (docs/testing.md, "web"): servers by
 * "ADDR:PORT" ("[ADDR]:PORT" for IPv6), each "refused", "silent" or an
 * object with its paths' answers and its acme-tls-alpn-01 behaviour.
 * parent (or NULL) is consulted for a server w does not name.  Returns
 * 0, or -1 with the reason in err.  *out is the caller's: fake_web_free().
 */
int fake_web_new(const json_t *spec, const struct fake_web *parent,
		 struct fake_web **out, char *err, size_t errlen);
void fake_web_free(struct fake_web *w);
/*
 * The web every connection of the library reaches from now on
 * (mpic__net_socket() of lib/util/netsock.h, replaced by fake_web.c: the
 * connection goes to an in-process server on base that plays the one
 * named; an address without a server refuses).  NULL: none, every
 * connection refused.  Closes the previous web's servers and
 * connections and clears the request log.  w must outlive its use.
 */
void fake_web_use(const struct fake_web *w, struct event_base *base);
/* The requests served since fake_web_use(), in order: [{target, tls,
 * sni, alpn, path, host}] (new reference). */
json_t *fake_web_requests(void);

/* ---------------------------------------------------------------- perspectives */

/*
 * The scripts of the perspectives, by code: {"us-east-1": SCRIPT, ...,
 * "*": SCRIPT} (docs/testing.md, "perspectives"); a code without a script
 * takes the steps of "*" in the order the checks start; without either
 * (or NULL scripts) it runs the real in-process check.  Borrowed: scripts must stay valid until the
 * next call.  Resets the count of "*" steps taken.
 */
void fake_persp_script(const json_t *scripts);
/* Scripted checks waiting for their timer, and those that never answer. */
size_t fake_persp_timed(void);
size_t fake_persp_silent(void);

#endif
