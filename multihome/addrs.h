/* SPDX-License-Identifier: 0BSD */
/*
 * addrs.h - walking a packed address array, the form sctp_getladdrs()
 * and sctp_getpaddrs() return and sctp_bindx() and sctp_connectx() take:
 * sockaddr_in and sockaddr_in6 entries back to back, each as long as its
 * family says, with no count or length in the bytes themselves.
 *
 * Pure: it reads only the bytes it is given and makes no system call,
 * so multihome_server, multihome_client and fuzz/addr_fuzz.c run the
 * same code. A walker that trusts the family blindly reads past the end
 * of an array whose last entry is cut short, or loops on a family it
 * does not know: this one stops there.
 */
#ifndef SCTP_SAMPLES_ADDRS_H
#define SCTP_SAMPLES_ADDRS_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Bytes of one entry, by its family; 0 for a family SCTP does not use. */
static inline size_t
addr_len(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

/*
 * The entry at offset *OFF of the SIZE bytes at ADDRS, moving *OFF past
 * it; NULL at the end, or at an entry cut short or of another family.
 */
static inline const struct sockaddr *
addr_next(const void *addrs, size_t size, size_t *off)
{
	const struct sockaddr *sa = (const void *)((const char *)addrs + *off);
	size_t len;

	if (*off > size || size - *off < sizeof(sa_family_t))
		return NULL;
	len = addr_len(sa);
	if (len == 0 || size - *off < len)
		return NULL;
	*off += len;
	return sa;
}
#endif /* SCTP_SAMPLES_ADDRS_H */
