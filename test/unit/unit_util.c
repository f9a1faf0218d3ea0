/* unit_util.c: helpers shared by the unit drivers (unit_util.h). */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/x509v3.h>

#include "unit_util.h"
#include "xmalloc.h"

void
unit_rm_rf(const char *path)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*dp;
	char		*sub;

	if (lstat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode) && (dp = opendir(path)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			xasprintf(&sub, "%s/%s", path, de->d_name);
			unit_rm_rf(sub);
			free(sub);
		}
		closedir(dp);
		rmdir(path);
	} else
		unlink(path);
}

void
unit_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 c;
	X509_EXTENSION	*e;

	X509V3_set_ctx(&c, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	assert_non_null(e = X509V3_EXT_conf_nid(NULL, &c, nid, value));
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}
