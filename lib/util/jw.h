/*
 * jw.h - the JSON writer is the helper library's (mpicx/jw.h); lib's code
 * names it mpic__jw*, mapped here (see util/util.h).
 */
#ifndef MPIC__JW_H
#define MPIC__JW_H

#include "mpicx/jw.h"

#define MPIC__JW_DEPTH MPICX_JW_DEPTH
#define mpic__jw mpicx_jw
#define mpic__jw_init mpicx_jw_init
#define mpic__jw_release mpicx_jw_release
#define mpic__jw_clear mpicx_jw_clear
#define mpic__jw_failed mpicx_jw_failed
#define mpic__jw_open mpicx_jw_open
#define mpic__jw_close mpicx_jw_close
#define mpic__jw_key mpicx_jw_key
#define mpic__jw_str mpicx_jw_str
#define mpic__jw_strn mpicx_jw_strn
#define mpic__jw_int mpicx_jw_int
#define mpic__jw_bool mpicx_jw_bool
#define mpic__jw_null mpicx_jw_null
#define mpic__jw_raw mpicx_jw_raw
#define mpic__jw_json mpicx_jw_json
#define mpic__jw_len mpicx_jw_len
#define mpic__jw_mark mpicx_jw_mark
#define mpic__jw_rewind mpicx_jw_rewind

#endif
