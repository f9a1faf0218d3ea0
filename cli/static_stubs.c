/*
 * static_stubs.c: linked only into the static binary (--enable-static-
 * binary). libevent and OpenSSL reference glibc's resolver, NSS and
 * dlopen, which a static glibc can only provide by loading shared
 * libraries at run time, and which pull in a large part of libc besides.
 * trustprobe resolves names with evdns alone and loads no module, so these
 * wrappers (ld --wrap) answer numeric addresses and refuse the rest.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int		 __wrap_getaddrinfo(const char *, const char *,
		    const struct addrinfo *, struct addrinfo **);
void		 __wrap_freeaddrinfo(struct addrinfo *);
struct hostent	*__wrap_gethostbyname(const char *);
struct servent	*__wrap_getservbyname(const char *, const char *);
struct protoent	*__wrap_getprotobynumber(int);
void		*__wrap_dlopen(const char *, int);
void		*__wrap_dlsym(void *, const char *);
int		 __wrap_dlclose(void *);
char		*__wrap_dlerror(void);
int		 __wrap_dladdr(const void *, void *);

/* Numeric hosts and ports only, one result (bind and literal addresses). */
int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo		*ai;
	struct sockaddr_storage	*ss;
	unsigned long		 port = 0;
	char			*end;
	int			 family = hints != NULL ? hints->ai_family :
				    AF_UNSPEC;

	*res = NULL;
	if (service != NULL) {
		port = strtoul(service, &end, 10);
		if (*end != '\0' || port > 65535)
			return (EAI_SERVICE);
	}
	if ((ai = calloc(1, sizeof *ai + sizeof *ss)) == NULL)
		return (EAI_MEMORY);
	ss = (struct sockaddr_storage *)(ai + 1);
	ai->ai_addr = (struct sockaddr *)ss;
	if (hints != NULL) {
		ai->ai_socktype = hints->ai_socktype;
		ai->ai_protocol = hints->ai_protocol;
	}
	if (node == NULL) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sin->sin_addr.s_addr = htonl((hints != NULL &&
		    (hints->ai_flags & AI_PASSIVE)) ? INADDR_ANY :
		    INADDR_LOOPBACK);
		ai->ai_family = AF_INET;
		ai->ai_addrlen = sizeof *sin;
	} else if (family != AF_INET6 &&
	    inet_pton(AF_INET, node, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		ai->ai_family = AF_INET;
		ai->ai_addrlen = sizeof(struct sockaddr_in);
	} else if (family != AF_INET && inet_pton(AF_INET6, node,
	    &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		ai->ai_family = AF_INET6;
		ai->ai_addrlen = sizeof(struct sockaddr_in6);
	} else {
		free(ai);
		return (EAI_NONAME);
	}
	*res = ai;
	return (0);
}

void
__wrap_freeaddrinfo(struct addrinfo *ai)
{
	struct addrinfo	*next;

	for (; ai != NULL; ai = next) {
		next = ai->ai_next;
		free(ai);
	}
}

struct hostent *
__wrap_gethostbyname(const char *name)
{
	h_errno = HOST_NOT_FOUND;
	return (NULL);
}

struct servent *
__wrap_getservbyname(const char *name, const char *proto)
{
	return (NULL);
}

struct protoent *
__wrap_getprotobynumber(int proto)
{
	return (NULL);
}

void *
__wrap_dlopen(const char *file, int mode)
{
	return (NULL);
}

void *
__wrap_dlsym(void *handle, const char *name)
{
	return (NULL);
}

int
__wrap_dlclose(void *handle)
{
	return (0);
}

char *
__wrap_dlerror(void)
{
	static char	msg[] = "dynamic loading is not available in the "
			    "static trustprobe";

	return (msg);
}

int
__wrap_dladdr(const void *addr, void *info)
{
	return (0);
}
