/*
 * conf_scheme.c: the target URL schemes, their names and default ports
 * (SPEC sections 2 and 13). Switches without default: a new scheme without
 * a name or a port is a compiler warning.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

const char *
conf_scheme_name(enum conf_scheme s)
{
	switch (s) {
	case CONF_SCHEME_HTTPS:
		return ("https");
	case CONF_SCHEME_TLS:
		return ("tls");
	case CONF_SCHEME_FILE:
		return ("file");
	case CONF_SCHEME_SMTP:
		return ("smtp");
	case CONF_SCHEME_SMTPS:
		return ("smtps");
	case CONF_SCHEME_IMAP:
		return ("imap");
	case CONF_SCHEME_IMAPS:
		return ("imaps");
	case CONF_SCHEME_POP3:
		return ("pop3");
	case CONF_SCHEME_POP3S:
		return ("pop3s");
	case CONF_SCHEME_FTP:
		return ("ftp");
	case CONF_SCHEME_FTPS:
		return ("ftps");
	case CONF_SCHEME_LDAP:
		return ("ldap");
	case CONF_SCHEME_LDAPS:
		return ("ldaps");
	case CONF_SCHEME_POSTGRES:
		return ("postgres");
	case CONF_SCHEME_MYSQL:
		return ("mysql");
	case CONF_SCHEME_XMPP:
		return ("xmpp");
	case CONF_SCHEME_XMPP_SERVER:
		return ("xmpp-server");
	}
	return ("unknown");
}

/* The IANA ports; smtp:// is 25 (use :587 for submission); a file none. */
uint16_t
conf_scheme_port(enum conf_scheme s)
{
	switch (s) {
	case CONF_SCHEME_HTTPS:
	case CONF_SCHEME_TLS:
		return (443);
	case CONF_SCHEME_FILE:
		return (0);
	case CONF_SCHEME_SMTP:
		return (25);
	case CONF_SCHEME_SMTPS:
		return (465);
	case CONF_SCHEME_IMAP:
		return (143);
	case CONF_SCHEME_IMAPS:
		return (993);
	case CONF_SCHEME_POP3:
		return (110);
	case CONF_SCHEME_POP3S:
		return (995);
	case CONF_SCHEME_FTP:
		return (21);
	case CONF_SCHEME_FTPS:
		return (990);
	case CONF_SCHEME_LDAP:
		return (389);
	case CONF_SCHEME_LDAPS:
		return (636);
	case CONF_SCHEME_POSTGRES:
		return (5432);
	case CONF_SCHEME_MYSQL:
		return (3306);
	case CONF_SCHEME_XMPP:
		return (5222);
	case CONF_SCHEME_XMPP_SERVER:
		return (5269);
	}
	return (443);
}

int
conf_scheme_lookup(const char *name, enum conf_scheme *out)
{
	int	s;

	/* libpq takes both spellings. */
	if (strcasecmp(name, "postgresql") == 0) {
		*out = CONF_SCHEME_POSTGRES;
		return (0);
	}
	for (s = 0; s < CONF_SCHEME_COUNT; s++) {
		if (strcasecmp(name, conf_scheme_name(s)) == 0) {
			*out = s;
			return (0);
		}
	}
	return (-1);
}

const char *
conf_scheme_list(void)
{
	static char	list[256];
	size_t		off = 0;
	int		s;

	if (list[0] != '\0')
		return (list);
	for (s = CONF_SCHEME_SMTP; s < CONF_SCHEME_COUNT && off < sizeof list;
	    s++)
		off += snprintf(list + off, sizeof list - off, "%s%s",
		    s == CONF_SCHEME_SMTP ? "" : ", ", conf_scheme_name(s));
	return (list);
}
