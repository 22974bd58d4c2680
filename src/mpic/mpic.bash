# bash completion for mpic(1): its commands, the DCV methods, the options
# of each command and the global ones (anywhere on the line), file names
# where an option takes a file.  Installed as
# share/bash-completion/completions/mpic (src/mpic/meson.build).
# tests/tool/completion checks it against `mpic --help`.

_mpic_globals="-c --config --server --cacert --cert --key --now --json
--timeout --help --version"
_mpic_commands="request caa dcv audit explain setup evidence diagnose"
_mpic_methods="acme-dns-01 acme-http-01 acme-tls-alpn-01 dns-change
dns-persistent dns-account-01 website-change contact-email-txt
contact-email-caa contact-phone-txt contact-phone-caa
reverse-address-lookup ip-address"
_mpic_common="--count --quorum --attempts --cohort --trace"
_mpic_caa="--caa-domain --smime --account-uri --method --allow-lookup-failure"
_mpic_dcv="--token --key-authorization --key-authorization-hash
--challenge-value --record-type --prefix --exact-match --exact-case
--issuer-domain --account-uri --path --regex --scheme --header"
_mpic_explain="--audit --id"
_mpic_setup="-o --prefix --days --ca-days --within"
_mpic_evidence="--audit --keys"
_mpic_audit="--keys"
_mpic_diagnose="--url --txt --expect"
# options whose value is the next word
_mpic_takes_value="-c --config --server --cacert --cert --key --now --timeout
--caa-domain --account-uri --method --token --key-authorization
--key-authorization-hash --challenge-value --record-type --prefix
--issuer-domain --path --regex --scheme --header --count --quorum --attempts
--cohort --trace --audit --id -o --prefix --days --ca-days --within --keys
--url --txt --expect"

_mpic()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=""
	local cmd="" i w operands=0
	local -a words=()

	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	-c | --config | --cacert | --cert | --key | --audit | -o | --prefix | --keys)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--scheme)
		mapfile -t COMPREPLY < <(compgen -W "http https" -- "$cur")
		return
		;;
	--record-type)
		mapfile -t COMPREPLY < <(compgen -W "TXT CNAME CAA A AAAA" -- "$cur")
		return
		;;
	esac
	for w in $_mpic_takes_value; do
		[ "$prev" = "$w" ] && return
	done
	# the command and how many operands it has so far
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case " $(echo $_mpic_takes_value) " in
		*" $w "*) i=$((i + 1)); continue ;;
		esac
		case $w in -*) continue ;; esac
		if [ -z "$cmd" ]; then
			cmd=$w
		else
			operands=$((operands + 1))
		fi
	done
	if [[ $cur == -* ]]; then
		words=($_mpic_globals)
		case $cmd in
		caa) words+=($_mpic_caa $_mpic_common) ;;
		dcv) words+=($_mpic_dcv $_mpic_common) ;;
		explain) words+=($_mpic_explain) ;;
		setup) words+=($_mpic_setup) ;;
		evidence) words+=($_mpic_evidence) ;;
		audit) words+=($_mpic_audit) ;;
		diagnose) words+=($_mpic_diagnose) ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "${words[*]}" -- "$cur")
		return
	fi
	case $cmd in
	"")
		mapfile -t COMPREPLY < <(compgen -W "$_mpic_commands" -- "$cur") ;;
	dcv)
		[ "$operands" -eq 0 ] &&
		    mapfile -t COMPREPLY < <(compgen -W "$_mpic_methods" -- "$cur") ;;
	audit)
		if [ "$operands" -eq 0 ]; then
			mapfile -t COMPREPLY < <(compgen -W "verify" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi ;;
	request | explain)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	evidence)
		if [ "$operands" -eq 0 ]; then
			mapfile -t COMPREPLY < <(compgen -W "verify" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi ;;
	setup)
		if [ "$operands" -eq 0 ]; then
			mapfile -t COMPREPLY < <(compgen -W "renew" -f -- "$cur")
		fi ;;
	esac
}
complete -F _mpic mpic
