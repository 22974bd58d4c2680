/*
 * rules_int.h - shared between lib/corroborate's files only.
 */
#ifndef MPIC_RULES_INT_H
#define MPIC_RULES_INT_H

/* Mean Earth radius (IUGG), as used by mpic__distance_km(). */
#define MPIC_EARTH_RADIUS_KM 6371.0088

#endif
