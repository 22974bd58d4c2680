/*
 * config_int.h - shared between the files of lib/config only: the parser
 * state and a small table-driven walker over libfyaml document nodes.
 * Nothing here is visible outside lib/config.
 */
#ifndef MPIC__CONFIG_INT_H
#define MPIC__CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libfyaml.h>

#include "corroborate/corroborate.h"
#include "config/config.h"

#define CFG_MAX_FILE (1024 * 1024)  /* larger configurations are refused */
#define CFG_PATH_MAX 160            /* "perspectives[12].dns.root_hints" */
#define CFG_STR_MAX 4096            /* default maximum length of a string */
#define CFG_MAX_PERSPECTIVES MPIC__COHORT_MAX_DEFS /* what cohort selection
                                                   * supports */
#define CFG_NOFF ((size_t)-1)

/* Lines of keys that later cross-checks refer to. */
enum cfg_slot {
	CFG_L_NONE = 0,
	CFG_L_ROLE,
	CFG_L_TLS,
	CFG_L_IDENTITY,
	CFG_L_PERSPECTIVES,
	CFG_L_PRIMARY,
	CFG_L_ORCH,
	CFG_L_SECRET,
	CFG_L_API_KEYS,
	CFG_L_URL,      /* of the definition being parsed */
	CFG_L_CODE,     /* of the definition being parsed */
	CFG_L__COUNT
};

struct cfg_parser {
	struct mpic_config *cfg;
	const char *input;        /* the YAML text, for source positions */
	size_t input_len;
	const char *basedir;      /* relative file paths are joined to it */
	char *err;
	size_t errlen;
	int lines[CFG_L__COUNT];  /* 1-based, 0 when the key is absent */
};

enum cfg_kind {
	CK_STR,     /* const char * (arena copy) */
	CK_BOOL,    /* bool */
	CK_UINT,    /* unsigned, in [min, max] */
	CK_INT,     /* int, in [min, max] */
	CK_DOUBLE,  /* double, in [min, max] */
	CK_LIST,    /* const char ** NULL-terminated; count at cnt_off */
	CK_MAP,     /* nested mapping over the same base */
	CK_FN,      /* custom */
};

#define CFG_F_PATH 0x1      /* CK_STR: a file name, joined to basedir */
#define CFG_F_EARLY 0x2     /* walked in the first pass */
#define CFG_F_REQUIRED 0x4  /* missing is an error */
#define CFG_F_EMPTY_OK 0x8  /* CK_STR: empty (or no value) is "" */

struct cfg_parser;
/*
 * A custom handler: v is the value node (may be NULL for an empty value),
 * line the best line for it, base the walker's base pointer.
 */
typedef int (*cfg_fn)(struct cfg_parser *p, struct fy_node *v,
		      const char *path, int line, void *base);
/* A validator: false with a reason (without the path) in why. */
typedef bool (*cfg_check)(const char *s, char *why, size_t whylen);

struct cfg_key {
	const char *name;
	enum cfg_kind kind;
	size_t off;                 /* member of base */
	size_t cnt_off;             /* CK_LIST: size_t member, or CFG_NOFF */
	double min, max;            /* range; STR/LIST: max length/count */
	const struct cfg_key *sub;  /* CK_MAP */
	cfg_fn fn;                  /* CK_FN */
	cfg_check check;            /* CK_STR, CK_LIST elements */
	unsigned flags;
	enum cfg_slot slot;
};

/* Walker passes: every key, or only the CFG_F_EARLY ones, or the rest. */
enum cfg_pass { CFG_PASS_ALL, CFG_PASS_EARLY, CFG_PASS_LATE };

int mpic__cfg_walk(struct cfg_parser *p, struct fy_node *map,
		   const char *path, int line, const struct cfg_key *keys,
		   void *base, enum cfg_pass pass);

/* Error "source:line: path: message" into p->err; returns MPIC_ECONFIG. */
int mpic__cfg_error(struct cfg_parser *p, int line, const char *path,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The whole input is UTF-8 YAML text (printable characters only). */
int mpic__cfg_text_check(struct cfg_parser *p, const char *text, size_t len);

/* 1-based line of a node (its first scalar), or fallback. */
int mpic__cfg_line(struct fy_node *n, int fallback);
/* True for an absent or null value (empty, ~, null). */
bool mpic__cfg_is_null(struct fy_node *n);
/* Printable, quoted, shortened form of s for messages. */
void mpic__cfg_quote(const char *s, size_t len, char *buf, size_t size);

/* Typed scalars.  Each reports its own error naming path and line. */
int mpic__cfg_str(struct cfg_parser *p, struct fy_node *v, const char *path,
		  int line, size_t maxlen, const char **out);
int mpic__cfg_bool(struct cfg_parser *p, struct fy_node *v,
		   const char *path, int line, bool *out);
int mpic__cfg_num(struct cfg_parser *p, struct fy_node *v, const char *path,
		  int line, bool integer, double min, double max,
		  double *out);

/* The keys of the top level (config_schema.c); role name for messages. */
extern const struct cfg_key mpic__cfg_top_keys[];
const char *mpic__cfg_role_str(enum mpic_role r);

/* Joins a relative file name to p->basedir (arena); NULL: no memory. */
const char *mpic__cfg_path(struct cfg_parser *p, const char *name);

#endif
