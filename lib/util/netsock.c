/*
 * netsock.c - mpic__net_socket() (netsock.h): the socket of an outgoing
 * connection.  Alone in its file: a test program links a replacement
 * (tests/fake/fake_web.c) and this object is then never pulled in.
 */
#include "util/netsock.h"

int
mpic__net_socket(int type, int protocol, struct sockaddr *sa,
		 socklen_t *len)
{
	(void)len;
	return socket(sa->sa_family, type | SOCK_CLOEXEC, protocol);
}
