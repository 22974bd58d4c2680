/*
 * methods.h - the DCV methods as a client sees them (docs/methods.md):
 * their Open MPIC names, and what each does with the fields of
 * dcv_check_parameters.
 */
#ifndef MPIC_PUB_METHODS_H
#define MPIC_PUB_METHODS_H

#include <mpic/common.h>

/* How many there are (a library built with another count refuses to
 * build: lib/api/methods.c checks it). */
#define MPIC_DCV_METHODS 13

MPIC_BEGIN_DECLS

/*
 * The DCV methods the library knows, 0 .. mpic_dcv_method_count() - 1,
 * always in the same order for one library: the Open MPIC name of method
 * i (validation_method), static; NULL when i is out of range.
 */
MPIC_EXTERN size_t mpic_dcv_method_count(void);
MPIC_EXTERN const char *mpic_dcv_method_name(size_t i);

/*
 * What the method named (Open MPIC's validation_method) does with a
 * field of dcv_check_parameters, from the method's row (docs/methods.md),
 * for clients building requests such as `mpic dcv`: whether it takes
 * key, and the value a client fills in when its user gives none (the
 * API requires dns_record_type of dns-change and ip-address), or NULL.
 * Unknown methods take nothing and have no defaults; static strings.
 */
MPIC_EXTERN bool mpic_dcv_method_takes(const char *method, const char *key);
MPIC_EXTERN const char *mpic_dcv_method_default(const char *method,
						const char *key);

MPIC_END_DECLS
#endif
