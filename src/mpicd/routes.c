/*
 * routes.c - mpicd's endpoints as one table: path, method, the roles that
 * serve it, its metrics label and its handler (roles.c for the API, obs.c
 * for the pages).  server.c looks a request up here and calls the row.
 */
#include <string.h>

#include "mpicd.h"

static void api_mpic(struct mpicd *d, struct mpicd_call *c, const char *body,
		     size_t len);
static void api_caa(struct mpicd *d, struct mpicd_call *c, const char *body,
		    size_t len);
static void api_dcv(struct mpicd *d, struct mpicd_call *c, const char *body,
		    size_t len);
static char *page_healthz(struct mpicd *d, int *status, size_t *len);
static char *page_metrics(struct mpicd *d, int *status, size_t *len);
static char *page_configz(struct mpicd *d, int *status, size_t *len);
static void api_diagnose(struct mpicd *d, struct mpicd_call *c,
			 const char *body, size_t len);

#define ROLE_BIT(r) (1u << (r))
#define ROLES_FRONT (ROLE_BIT(MPIC_ROLE_ALL_IN_ONE) | \
	ROLE_BIT(MPIC_ROLE_COORDINATOR))
#define ROLES_ALL (ROLES_FRONT | ROLE_BIT(MPIC_ROLE_PERSPECTIVE))

/*
 * Every endpoint: its path (a static name: logs and metrics never carry
 * what a client sent as a path), the one method it answers, the roles
 * that serve it (404 in the others), and its handler.
 */
static const struct mpicd_route routes[] = {
	{ "/mpic", EVHTTP_REQ_POST, ROLES_FRONT, MPICD_M_UNKNOWN, api_mpic,
	  NULL },
	{ "/caa", EVHTTP_REQ_POST, ROLE_BIT(MPIC_ROLE_PERSPECTIVE),
	  MPICD_M_CAA, api_caa, NULL },
	{ "/dcv", EVHTTP_REQ_POST, ROLE_BIT(MPIC_ROLE_PERSPECTIVE),
	  MPICD_M_UNKNOWN, api_dcv, NULL },
	{ "/healthz", EVHTTP_REQ_GET, ROLES_ALL, MPICD_M_UNKNOWN, NULL,
	  page_healthz },
	{ "/metrics", EVHTTP_REQ_GET, ROLES_ALL, MPICD_M_UNKNOWN, NULL,
	  page_metrics },
	{ "/configz", EVHTTP_REQ_GET, ROLES_ALL, MPICD_M_UNKNOWN, NULL,
	  page_configz },
	/* a diagnosis (not a validation) and its page (diagnose.c) */
	{ "/diagnose", EVHTTP_REQ_POST, ROLES_ALL, MPICD_M_UNKNOWN,
	  api_diagnose, NULL },
	{ "/diagnose", EVHTTP_REQ_GET, ROLES_FRONT, MPICD_M_UNKNOWN, NULL,
	  mpicd_diagnose_page },
};

const struct mpicd_route *
mpicd_route(const char *uri, enum evhttp_cmd_type method, enum mpic_role role)
{
	const struct mpicd_route *first = NULL;
	size_t i, n = strcspn(uri, "?#");

	/* the row of the path and method; else the path's first row in
	 * the role (its method makes the 405) */
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct mpicd_route *rt = &routes[i];

		if (strlen(rt->path) != n || strncmp(uri, rt->path, n) != 0 ||
		    !(rt->roles & ROLE_BIT(role)))
			continue;
		if (rt->method == method)
			return rt;
		if (first == NULL)
			first = rt;
	}
	return first;
}

static void
api_mpic(struct mpicd *d, struct mpicd_call *c, const char *body, size_t len)
{
	mpicd_handle_mpic(d, c, body, len);
}

static void
api_caa(struct mpicd *d, struct mpicd_call *c, const char *body, size_t len)
{
	mpicd_handle_check(d, c, "caa", body, len);
}

static void
api_dcv(struct mpicd *d, struct mpicd_call *c, const char *body, size_t len)
{
	mpicd_handle_check(d, c, "dcv", body, len);
}

static void
api_diagnose(struct mpicd *d, struct mpicd_call *c, const char *body,
	     size_t len)
{
	mpicd_handle_diagnose(d, c, body, len);
}

static char *
page_healthz(struct mpicd *d, int *status, size_t *len)
{
	(void)len;
	return mpicd_healthz(d, status);
}

static char *
page_metrics(struct mpicd *d, int *status, size_t *len)
{
	(void)status;
	return mpicd_metrics(d, len);
}

static char *
page_configz(struct mpicd *d, int *status, size_t *len)
{
	(void)status;
	(void)len;
	return mpicd_configz(d);
}

