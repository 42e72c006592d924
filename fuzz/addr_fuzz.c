/*
 * addr_fuzz.c - libFuzzer target: addr_str(), addr_port() and addr_len()
 * from common/util.h over arbitrary address bytes, walked the way the
 * programs walk the packed arrays of sctp_getladdrs()/sctp_getpaddrs().
 *
 * Those arrays hold sockaddr_in and sockaddr_in6 entries back to back,
 * each as long as its family says (addr_len), and the programs step
 * through them with `p += addr_len(sa)` (multihome_server.c,
 * multihome_client.c; their walkers are static, so the util.h pieces
 * they are built from are fuzzed here, in the same loop). The input
 * becomes such an array: as many whole entries as fit, any family,
 * any bytes, copied to a heap block of exactly that length and walked
 * in place. Checked on top of the sanitizers: nothing is read past the
 * array (so no entry past its addr_len() bytes),
 * every text is NUL-terminated within the buffer it was given (of a
 * size the input picks), and an AF_INET/AF_INET6 entry reads back as
 * the address inet_pton() gives for the text.
 *
 * Try:
 *   fuzz/run.sh 10 addr
 */
#include "util_old.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entries one run walks at most, like a host with many addresses. */
#define MAX_ENTRIES 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t textlen = INET6_ADDRSTRLEN, used = 0, n = 0;
	unsigned char *array;
	const unsigned char *p;

	if (size > 0) {
		textlen = 1 + data[0] % (INET6_ADDRSTRLEN + 16);
		data++;
		size--;
	}
	/* How many whole entries the bytes make: the kernel never hands
	 * out half of one. */
	while (n < MAX_ENTRIES && used + sizeof(sa_family_t) <= size) {
		struct sockaddr sa;
		size_t len;

		memset(&sa, 0, sizeof(sa));
		memcpy(&sa.sa_family, data + used, sizeof(sa.sa_family));
		len = addr_len(&sa);
		if (used + len > size)
			break;
		used += len;
		n++;
	}
	array = malloc(used ? used : 1);
	if (array == NULL)
		abort();
	memcpy(array, data, used);

	p = array;
	for (size_t i = 0; i < n; i++) {
		/* In place, as the programs do: entries are 16 or 28 bytes,
		 * so each stays 4-byte aligned in a malloc'ed array. */
		const struct sockaddr *sa = (const void *)p;
		char *text = malloc(textlen);
		unsigned char bin[sizeof(struct in6_addr)];

		if (text == NULL)
			abort();
		addr_str(sa, text, textlen);
		if (memchr(text, '\0', textlen) == NULL)
			abort();
		(void)addr_port(sa);
		/* A buffer too small gives a cut "?(family N)", or "". */
		if ((sa->sa_family == AF_INET || sa->sa_family == AF_INET6) &&
		    text[0] != '?' && text[0] != '\0') {
			const void *want =
				sa->sa_family == AF_INET
					? (const void *)&(
						  (const struct sockaddr_in
							   *)(const void *)sa)
						  ->sin_addr
					: (const void *)&(
						  (const struct sockaddr_in6
							   *)(const void *)sa)
						  ->sin6_addr;

			if (inet_pton(sa->sa_family, text, bin) != 1 ||
			    memcmp(bin, want,
				   sa->sa_family == AF_INET
					   ? sizeof(struct in_addr)
					   : sizeof(struct in6_addr)) != 0)
				abort();
		}
		free(text);
		p += addr_len(sa);
	}
	free(array);
	return 0;
}
