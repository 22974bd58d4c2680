# shellcheck shell=bash
# Sourced by the integration and daemon runners: every 200 and 400 answer
# of the API is kept as it comes (schema_keep, schema_keep_tool), and
# schema_check validates them all at the end in one python process against
# the Open MPIC spec (tests/lib/openapi_check.py: the conversion from
# OpenAPI 3.0 and the one list of the spec's defects we allow).  A
# violation is a FAIL line naming the case and the JSON path, and counts
# as a failure of the runner.

# schema_init TOP DIR: answers go to DIR (index.tsv: file, endpoint,
# status, case)
schema_init() {
	schema_top=$1
	schema_dir=$2
	mkdir -p "$schema_dir" && : >"$schema_dir/index.tsv"
}

# schema_where: "file:line" where the function calling it was called
# (a daemon test's API helper names its answers so)
schema_where() {
	echo "$(basename "${BASH_SOURCE[2]:-?}"):${BASH_LINENO[1]:-?}"
}

# schema_keep ENDPOINT STATUS BODYFILE CASE: keeps a 200 or 400 body.
# Safe in $(...) and in background jobs (no counter: a unique file).
schema_keep() {
	local f
	case $2 in 200 | 400) ;; *) return 0 ;; esac
	[ -n "${schema_dir:-}" ] || return 0
	f=$(mktemp -p "$schema_dir" a.XXXXXXXX) || return 0
	cp "$3" "$f" 2>/dev/null || : >"$f"
	printf '%s\t%s\t%s\t%s\n' "$(basename "$f")" "$1" "$2" \
	    "${4//[$'\t\n']/ }" >>"$schema_dir/index.tsv"
}

# schema_keep_tool ENDPOINT EXIT OUT ERR CASE: the answer the mpic tool
# printed with --json (or "request"): exit 0 or 1 is a 200; 2 with "(HTTP
# N)" on stderr an answer of status N; anything else no answer.
schema_keep_tool() {
	local status=
	case $2 in
	0 | 1) status=200 ;;
	2) status=$(grep -oE 'request not run \(HTTP [0-9]+\)' "$4" 2>/dev/null |
		grep -oE '[0-9]+' | head -1) ;;
	esac
	[ -n "$status" ] && [ -s "$3" ] && schema_keep "$1" "$status" "$3" "$5"
	return 0
}

# schema_check SUITE: validates what was kept; prints the validator's lines
# and adds its "schema: N passed, N failed" to the runner's passed and
# failed.  Skipped (said, not counted) when the spec is not beside the
# repository.
schema_check() {
	local out rc line p f
	# SCHEMA_KEEP=DIR keeps the answers (openapi_check.py DIR re-runs it)
	[ -n "${SCHEMA_KEEP:-}" ] && mkdir -p "$SCHEMA_KEEP" &&
		cp -a "$schema_dir/." "$SCHEMA_KEEP/"
	out=$(/usr/bin/python3 "$schema_top/tests/lib/openapi_check.py" \
	    "$schema_dir" 2>&1)
	rc=$?
	grep -v '^schema: [0-9]* passed, [0-9]* failed$' <<<"$out"
	[ "$rc" -eq 77 ] && return 0
	line=$(grep -E '^schema: [0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		echo "FAIL schema: $1: the validator exited $rc without a summary"
		return 0
	fi
	p=${line#schema: }
	p=${p%% passed*}
	f=${line#*, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
}
