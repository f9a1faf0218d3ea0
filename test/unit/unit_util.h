/*
 * unit_util.h: helpers more than one unit driver needs (cmocka asserts
 * inside, so a failure is the calling test's).
 */
#ifndef TP_UNIT_UTIL_H
#define TP_UNIT_UTIL_H

#include <openssl/x509.h>

/* test/unit/unit_util.c */
/* Remove path and, for a directory, everything below it. */
void	unit_rm_rf(const char *path);
/* Add the extension nid = value to x, issued by issuer (NULL: x). */
void	unit_ext(X509 *x, X509 *issuer, int nid, const char *value);

#endif
