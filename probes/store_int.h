/*
 * store_int.h: what the parts of the trust store share, private to
 * probes/: store.c (discovery, the store in effect, change detection),
 * store_root.c (files under trust_store.root, openat2 RESOLVE_IN_ROOT) and
 * store_scan.c (bundles and directories read and parsed, bounded).
 */
#ifndef TP_STORE_INT_H
#define TP_STORE_INT_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>

#include "store.h"

/* Bounds on the work one load may do, whatever the filesystem holds. */
#define STORE_MAX_FILES		10000			/* per directory */
#define STORE_MAX_FILE_SIZE	(16 * 1024 * 1024)	/* per file */
#define STORE_MAX_DIR_BYTES	(256 * 1024 * 1024)	/* per directory */
#define STORE_MAX_CERTS		10000			/* parsed per load */
#define STORE_REPORT_MAX	(1024 * 1024)
/* In one store (kept as DER, decoded on demand: certset.h). */
#define STORE_MAX_STORE_CERTS	5000

/* Go's list (crypto/x509/root_linux.go), also SPEC section 5 step 2. */

/* A file identity, to skip a file already counted. */
struct store_ident {
	dev_t	dev;
	ino_t	ino;
};

struct store_idents {
	struct store_ident	*v;
	size_t			 n;
};

/* One file read during a load: a file seen by several steps is parsed once. */
struct store_file {
	dev_t		 dev;
	ino_t		 ino;
	mode_t		 mode;
	int		 opened;
	struct certset	*certs;		/* NULL when nothing parsed */
	int		 ncerts;	/* certificate blocks in the file */
	int		 nexpired;
	char		*why;		/* NULL when certificates were found */
	int		 unparsed;	/* not parsed: STORE_MAX_CERTS reached */
};

/* Where scanned certificates go. */
struct store_dst {
	struct certset	*set;
};

struct store_ctx {
	const char		*root;
	int			 rootfd;	/* for openat2, else -1 */
	const char		*(*getenv)(const char *);
	char *const		*env;
	struct store_file	**files;
	size_t			 nfiles;
	size_t			 ncerts;	/* parsed, against STORE_MAX_CERTS */
	int			 lean;		/* read only what is in effect */
};

/* probes/store_root.c */
void	 store_ctx_init(struct store_ctx *, const char *,
		    const char *(*)(const char *));
void	 store_ctx_free(struct store_ctx *);
/* strcmp for qsort of a char * array: a directory read in name order. */
int	 store_name_cmp(const void *, const void *);
char	*store_root(const char *);
char	*store_join(const char *, const char *);
int	 store_host(const struct store_ctx *,
		    const struct store_candidate *);
int	 store_openat2(int, const char *, int);
int	 store_open(const struct store_ctx *, const char *, int, int);
int	 store_stat(const struct store_ctx *, const char *, int,
		    struct stat *);

/* probes/store_scan.c */
/*
 * f's certificates into dst (may be NULL) while the store holds fewer than
 * STORE_MAX_STORE_CERTS; c, the candidate they came from, counts the ones
 * left out (nleft) and says so.
 */
void	 store_dst_add(struct store_dst *, const struct store_file *,
		    struct store_candidate *c);
void	 store_set_error(struct store_candidate *, const char *);
struct store_file *store_scan_file(struct store_ctx *,
		    struct store_candidate *);
int	 store_stat_cand(struct store_ctx *, struct store_candidate *,
		    struct stat *);
void	 store_ident_add(struct store_idents *, dev_t, ino_t);
void	 store_scan_dir(struct store_ctx *, struct store_candidate *,
		    struct store_dst *, const struct store_idents *, int);

/* probes/store.c */
void	 store_cand_init(struct store_candidate *, const char *,
		    const char *, int, const char *, int);

#endif
