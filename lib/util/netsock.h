/*
 * netsock.h - the socket of every outgoing TCP connection of the web
 * checks: libcurl's (lib/util/curl_loop.c, CURLOPT_OPENSOCKETFUNCTION)
 * and acme-tls-alpn-01's (lib/dcv/tls_alpn.c).
 *
 * One function in a file of its own (netsock.c) so that a test program
 * can link its own in its place, as the scenario runner does
 * (tests/fake/fake_web.c: an in-process web behind the real checks and
 * the real libcurl and OpenSSL), the way it replaces libunbound.  The
 * library itself has no test mode.
 */
#ifndef MPIC__UTIL_NETSOCK_H
#define MPIC__UTIL_NETSOCK_H

#include <sys/socket.h>

/*
 * A socket for a connection to *sa (*len octets): socket(2) of
 * sa->sa_family with type | SOCK_CLOEXEC and protocol.  The caller then
 * connects it to *sa as it stands on return: a replacement may have
 * changed the address (never its family or length).  Returns the
 * descriptor, or -1 with errno set.
 */
int mpic__net_socket(int type, int protocol, struct sockaddr *sa,
		     socklen_t *len);

#endif
