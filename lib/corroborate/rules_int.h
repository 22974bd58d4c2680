/*
 * rules_int.h - shared between lib/corroborate's files only.
 */
#ifndef MPIC__RULES_INT_H
#define MPIC__RULES_INT_H

/* Mean Earth radius (IUGG), as used by mpic__distance_km(). */
#define MPIC__EARTH_RADIUS_KM 6371.0088

#endif
