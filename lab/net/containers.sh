# lab/net/containers.sh - sourced by lab-net.  With LAB_NET_IMAGE set (an
# image made by "make image", e.g. localhost/mpic:0.1.0), the six
# perspectives and the two coordinators run from that image, as a CA
# would deploy them: one container per daemon, in its node's network
# namespace (podman --network ns:/run/netns/NODE), as the image's
# non-root user, with its configuration and the files it names mounted
# read-only at the paths the configuration gives, and only the audit
# log's directory writable.  Without it, the build's mpicd runs directly.
# podman runs through scripts/podman (why: there).
IMAGE=${LAB_NET_IMAGE:-}
PODMAN="$TOP/scripts/podman"

# the audit log of coordinator NAME, as its configuration names it
audit_path() {
	if [ -n "$IMAGE" ]; then
		echo /var/lib/mpic/audit/audit.jsonl
	else
		echo "$DIR/run/audit-$1.jsonl"
	fi
}

# What identifies the daemons' code, for lab_version: the image's id.
image_version() {
	[ -z "$IMAGE" ] || "$PODMAN" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || echo none
}

# Copies of what the daemons read (the lab's keys are root's, 0600),
# owned by the image's user, for the read-only mounts.
containers_prepare() {
	local uid
	[ -n "$IMAGE" ] || return 0
	uid=$("$PODMAN" run --rm --entrypoint /usr/bin/id "$IMAGE" -u 9>&-) ||
		die "image $IMAGE does not run (make image; scripts/podman)"
	rm -rf "$DIR/ctr"
	mkdir -p "$DIR/ctr/dns"
	cp -r "$DIR/pki" "$DIR/ctr/pki"
	cp "$DIR/dns/root.hints" "$DIR/dns/trust-anchor" "$DIR/ctr/dns/"
	cp "$DIR/secret" "$DIR/api-keys" "$DIR/ctr/"
	chown -R "$uid" "$DIR/ctr"
	chmod -R go-rwx "$DIR/ctr"
	echo "$uid" >"$DIR/ctr.uid"
}

# run_mpicd NODE NAME: mpicd with $DIR/run/NAME.yaml in NODE's namespace;
# its pid (the host's) in $DIR/run/NAME.pid, its output in NAME.log
run_mpicd() {
	local node=$1 name=$2 conf=$DIR/run/$2.yaml mounts
	if [ -z "$IMAGE" ]; then
		ip netns exec "$(ns "$node")" setsid "$BUILD/src/mpicd/mpicd" -c "$conf" </dev/null >"$DIR/run/$name.log" 2>&1 9>&- &
		echo $! >"$DIR/run/$name.pid"
		return 0
	fi
	mounts=(-v "$conf:/etc/mpic/mpicd.yaml:ro" -v "$DIR/ctr/pki:$DIR/pki:ro"
		-v "$DIR/ctr/dns:$DIR/dns:ro" -v "$DIR/ctr/secret:$DIR/secret:ro"
		-v "$DIR/ctr/api-keys:$DIR/api-keys:ro")
	if grep -q '^role: coordinator' "$conf"; then
		mkdir -p "$DIR/run/audit-$name"
		chown "$(cat "$DIR/ctr.uid")" "$DIR/run/audit-$name"
		mounts+=(-v "$DIR/run/audit-$name:/var/lib/mpic/audit")
	fi
	# fd 9 (lab-net's lock) must not stay open in podman's monitor
	"$PODMAN" run -d --rm --replace --name "$NSP-$name" \
		--network "ns:/run/netns/$(ns "$node")" \
		--log-driver k8s-file --log-opt "path=$DIR/run/$name.log" \
		"${mounts[@]}" "$IMAGE" </dev/null >/dev/null 2>"$DIR/run/$name.podman" 9>&- ||
		die "$name: podman run failed: $(tail -3 "$DIR/run/$name.podman")"
	"$PODMAN" inspect -f '{{.State.Pid}}' "$NSP-$name" >"$DIR/run/$name.pid" 9>&-
}

# The containers of this lab that are left (their processes are gone
# with the namespaces' processes; podman's records may not be).
containers_down() {
	local c
	command -v podman >/dev/null || return 0
	c=$("$PODMAN" ps -a -q --filter "name=^$NSP-" 9>&- 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # one id per word
	[ -z "$c" ] || "$PODMAN" rm -f -t 5 $c >/dev/null 2>&1 9>&- || true
}
