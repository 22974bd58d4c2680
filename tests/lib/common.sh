# shellcheck shell=bash
# common.sh - the shell helpers of the labs (lab/*/lab-*) and of the test
# runners on them (tests/integration/run, tests/integration/daemon/run and
# the files it sources, tests/integration/net/run).  Sourced, never run:
#
#   PROG=lab-web          # the name in messages (default: the script's)
#   LOG_QUIET=...         # non-empty: log() says nothing
#   . "$TOP/tests/lib/common.sh"
#
# A script may define a function of the same name after sourcing to have
# its own (lab-net's usage).

PROG=${PROG:-$(basename "$0")}

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { [ -n "${LOG_QUIET:-}" ] || echo "$PROG: $*" >&2; }
# the labs' command line
usage() { echo "usage: $PROG up|down|status DIR" >&2; exit 2; }

# need_tools HINT TOOL...: die naming the tools not on PATH, and HINT
need_tools() {
	local hint=$1 t missing=""
	shift
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] || die "missing tools:$missing ($hint)"
}

# alive PID: 0 if PID is a live process (not a zombie waiting for its
# parent, not dead)
alive() {
	local st
	[ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ] && [ "$st" != X ]
}

# stop_pids PID...: SIGTERM to each, at most 5 s for all of them to exit,
# SIGKILL to the rest, at most 3 s more; our children are reaped.  1 when
# some would not stop: their pids are in $stuck.
stop_pids() {
	local p t=0
	stuck=""
	for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "$@"; do
		while alive "$p" && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
		if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
	done
	t=0
	for p in "$@"; do
		while alive "$p" && [ $t -lt 30 ]; do sleep 0.1; t=$((t + 1)); done
		if alive "$p"; then stuck="$stuck $p"; fi
		wait "$p" 2>/dev/null || true
	done
	[ -z "$stuck" ]
}

# listening ADDR PORT [PROTO]: 0 if a socket listens on ADDR:PORT; PROTO
# is t (TCP, the default), u (UDP) or tu (either); ADDR IPv4 or IPv6
listening() {
	local a=$1
	[[ "$a" == *:* ]] && a="[$a]"
	ss -Hln"${3:-t}" 2>/dev/null | awk -v a="$a:$2" '
		{ for (i = 1; i <= NF; i++) if ($i == a) f = 1 } END { exit !f }'
}

# ---------------------------------------------------------------- runners
# Every case prints "ok   NAME" or "FAIL NAME: WHY"; the last line is
# "N passed, N failed", which tests/run-all adds up.
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }
summary() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
# give_up WHY: the runner cannot run its cases: why, one failure, exit 1
give_up() { echo "$PROG: $*"; echo "0 passed, 1 failed"; exit 1; }
# lab_up SCRIPT DIR WHAT: "SCRIPT up DIR" (lab/NAME/lab-NAME), its output
# in DIR.log, shown when it fails (then give_up); its DIR/lab.env sourced
lab_up() {
	if ! "$1" up "$2" >"$2.log" 2>&1; then
		cat "$2.log"
		give_up "$3 did not start"
	fi
	# shellcheck disable=SC1091
	if [ -f "$2/lab.env" ]; then . "$2/lab.env"; fi
}
