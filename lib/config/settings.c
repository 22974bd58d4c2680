/*
 * settings.c - the settings a program reads (struct mpic_settings,
 * mpic/config.h): a view of the configuration made once at load, in its
 * arena, so that programs need not know the configuration's own layout.
 */
#include <string.h>

#include "config/config.h"

static void
persp_view(struct mpic_settings_persp *v,
	   const struct mpic__perspective_def *def)
{
	v->code = def->code;
	v->rir = mpic__rir_str(def->rir);
	v->url = def->url;
	v->lat = def->loc.lat;
	v->lon = def->loc.lon;
	v->root_hints = def->dns.root_hints;
	v->trust_anchor = def->dns.trust_anchor;
	v->signing_key = def->signing_key;
}

int
mpic__config_settings_make(struct mpic_config *cfg)
{
	struct mpic_settings *s = &cfg->set;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (cfg->n_perspectives > 0) {
		cfg->set_persp = mpic__arena_calloc(&cfg->arena,
		    cfg->n_perspectives * sizeof(*cfg->set_persp));
		if (cfg->set_persp == NULL)
			return MPIC_ENOMEM;
	}
	for (i = 0; i < cfg->n_perspectives; i++)
		persp_view(&cfg->set_persp[i], &cfg->perspectives[i]);
	s->source = cfg->source;
	s->role = cfg->role;
	s->listen = cfg->listen;
	s->tls_cert = cfg->tls_cert;
	s->tls_key = cfg->tls_key;
	s->tls_client_ca = cfg->tls_client_ca;
	s->api_keys_file = cfg->api_keys_file;
	s->has_identity = cfg->has_identity;
	persp_view(&s->identity, &cfg->identity);
	s->perspectives = cfg->set_persp;
	s->n_perspectives = cfg->n_perspectives;
	s->has_primary = cfg->has_primary;
	persp_view(&s->primary, &cfg->primary);
	s->max_redirects = cfg->max_redirects;
	s->default_perspective_count = cfg->default_perspective_count;
	s->max_attempts_cap = cfg->max_attempts_cap;
	s->br_lab = cfg->br_lab;
	s->early_decision = cfg->early_decision;
	s->request_timeout_ms = cfg->request_timeout_ms;
	s->audit_path = cfg->audit_path;
	s->audit_sync_timeout_ms = cfg->audit_sync_timeout_ms;
	s->tls_allowed_peers = cfg->tls_allowed_peers;
	s->n_tls_allowed_peers = cfg->n_tls_allowed_peers;
	s->user = cfg->user;
	s->workers = cfg->workers;
	s->remote_timeout_ms = cfg->remote_timeout_ms;
	s->max_connections = cfg->max_connections;
	s->max_header_bytes = cfg->max_header_bytes;
	s->io_timeout_ms = cfg->io_timeout_ms;
	s->read_deadline_ms = cfg->read_deadline_ms;
	s->drain_timeout_ms = cfg->drain_timeout_ms;
	s->admin_listen_default = cfg->admin_listen == NULL;
	s->admin_listen = cfg->admin_listen == NULL ?
	    MPIC_ADMIN_LISTEN_DEFAULT : cfg->admin_listen[0] == '\0' ||
	    strcmp(cfg->admin_listen, "none") == 0 ? NULL : cfg->admin_listen;
	s->admin_max_connections = cfg->admin_max_connections;
	s->diagnose_per_minute = cfg->diagnose_per_minute;
	s->log_level = cfg->log_level != NULL ? cfg->log_level : "info";
	return 0;
}

const struct mpic_settings *
mpic_config_settings(const struct mpic_config *cfg)
{
	return &cfg->set;
}

int
mpic_config_set_audit_path(struct mpic_config *cfg, const char *path)
{
	const char *copy;

	if (cfg->audit_path == NULL || path == NULL)
		return MPIC_EINVAL;
	if ((copy = mpic__arena_strdup(&cfg->arena, path)) == NULL)
		return MPIC_ENOMEM;
	cfg->audit_path = copy;
	cfg->set.audit_path = copy;
	return 0;
}

void
mpic_config_set_tls_client_ctx(struct mpic_config *cfg,
			       int (*fn)(void *ssl_ctx, void *arg), void *arg)
{
	cfg->tls_client_ctx = fn;
	cfg->tls_client_arg = arg;
}
