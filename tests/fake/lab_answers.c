/*
 * lab_answers.c - what the real libunbound answers, as scenario data: for
 * each NAME TYPE, one "answers" entry of a scenario file's DNS world
 * (docs/testing.md) with the rcode, the packet's rcode, the DNSSEC state,
 * why_bogus (without libunbound's "validation failure <QUERY>: ", which
 * the fake adds), TC and the answer and authority sections (signatures
 * left out: the fakes do not validate).  To write a scenario from the DNS lab:
 *
 *   lab/dns/lab-dns up DIR && . DIR/lab.env
 *   lab_answers $LAB_ROOT_HINTS $LAB_TRUST_ANCHOR refused-insecure.lab DS
 *
 * Not a test: built beside the runner, run by hand (it needs the lab).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <ldns/ldns.h>
#include <unbound-event.h>
#include <unbound.h>

struct lookup {
	const char *name, *type;
	bool done;
	json_t *out;
};

/* The records of a section, in zone-file syntax, without RRSIGs. */
static json_t *
section(const ldns_rr_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *s;
		size_t n;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG)
			continue;
		if ((s = ldns_rr2str(rr)) == NULL)
			continue;
		n = strlen(s);
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
			s[--n] = '\0';
		for (n = 0; s[n] != '\0'; n++)
			if (s[n] == '\t')
				s[n] = ' ';
		json_array_append_new(a, json_string(s));
		free(s);
	}
	return a;
}

static const char *
rcode_name(int rc)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED"};

	return rc >= 0 && rc < 6 ? names[rc] : "SERVFAIL";
}

static void
answered(void *arg, int err, void *pkt, int len, int sec, char *why,
	 int ratelimited)
{
	struct lookup *l = arg;
	ldns_pkt *p = NULL;

	(void)ratelimited;
	l->done = true;
	l->out = json_pack("{s:s, s:s, s:s, s:s}", "name", l->name, "type",
	    l->type, "rcode", rcode_name(err), "dnssec", sec == 2 ? "secure" :
	    sec == 1 ? "bogus" : "insecure");
	/* the fakes put back libunbound's "validation failure <Q>: " */
	if (why != NULL && strncmp(why, "validation failure <", 20) == 0 &&
	    strstr(why, ">: ") != NULL)
		why = strstr(why, ">: ") + 3;
	if (why != NULL)
		json_object_set_new(l->out, "why_bogus", json_string(why));
	if (pkt == NULL || len <= 0 ||
	    ldns_wire2pkt(&p, pkt, (size_t)len) != LDNS_STATUS_OK)
		return;
	if ((int)ldns_pkt_get_rcode(p) != err)
		json_object_set_new(l->out, "packet_rcode",
		    json_string(rcode_name(ldns_pkt_get_rcode(p))));
	if (ldns_pkt_tc(p))
		json_object_set_new(l->out, "tc", json_true());
	json_object_set_new(l->out, "answer", section(ldns_pkt_answer(p)));
	json_object_set_new(l->out, "authority",
	    section(ldns_pkt_authority(p)));
	ldns_pkt_free(p);
}

int
main(int argc, char **argv)
{
	struct event_base *base = NULL;
	struct ub_ctx *ctx = NULL;
	json_t *all = json_array();
	int i, rc = 1, id;

	if (argc < 5 || (argc - 3) % 2 != 0) {
		fprintf(stderr, "usage: lab_answers ROOT_HINTS TRUST_ANCHOR "
		    "NAME TYPE...\n");
		return 64;
	}
	if ((base = event_base_new()) == NULL ||
	    (ctx = ub_ctx_create_event(base)) == NULL)
		goto out;
	/* as lib/dns/resolver.c sets it up for the lab */
	if (ub_ctx_set_option(ctx, "do-not-query-localhost:", "no") != 0 ||
	    ub_ctx_set_option(ctx, "infra-cache-max-rtt:", "1000") != 0 ||
	    ub_ctx_set_option(ctx, "root-hints:", argv[1]) != 0 ||
	    ub_ctx_add_ta_file(ctx, argv[2]) != 0) {
		fprintf(stderr, "lab_answers: cannot set up the resolver\n");
		goto out;
	}
	for (i = 3; i + 1 < argc; i += 2) {
		struct lookup l = {argv[i], argv[i + 1], false, NULL};
		int type = ldns_get_rr_type_by_name(argv[i + 1]);

		if (type == 0 || ub_resolve_event(ctx, argv[i], type, 1, &l,
		    answered, &id) != 0) {
			fprintf(stderr, "lab_answers: cannot ask %s %s\n",
			    argv[i], argv[i + 1]);
			goto out;
		}
		while (!l.done)
			event_base_loop(base, EVLOOP_ONCE);
		json_array_append_new(all, l.out);
	}
	if (json_dumpf(all, stdout, JSON_INDENT(1)) == 0 && putchar('\n') != EOF)
		rc = 0;
out:
	json_decref(all);
	ub_ctx_delete(ctx);
	if (base != NULL)
		event_base_free(base);
	return rc;
}
