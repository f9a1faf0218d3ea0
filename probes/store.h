/*
 * store.h: the trust store, found the way the application would find it
 * (SPEC section 5), loaded once into an X509_STORE that probes share, with
 * a report of every candidate path for people and for the diagnosis.
 */
#ifndef TP_STORE_H
#define TP_STORE_H

#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "model.h"

struct buf;
struct x509_store_st;
struct rt_env;
struct rt_stores;
struct stat;

/* One place looked at. */
struct store_candidate {
	char		*path;		/* as the application sees it */
	char		*fs_path;	/* under the root, as we open it */
	int		 is_dir;
	const char	*origin;	/* "SSL_CERT_FILE", "bundle", "directory", ... */
	int		 exists;
	int		 readable;
	int		 ncerts;	/* certificates parsed */
	int		 nexpired;	/* of those, past notAfter now */
	int		 nleft;		/* of those, left out: the store was full */
	char		*error;		/* why unusable, NULL when fine */
	int		 in_effect;
	int		 unread;	/* lean load: stat'ed only */
	/* Change detection: what stat() said at load time. */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

/* Where to look; NULL fields mean "discover" / "/". */
struct store_config {
	const char	*root;		/* trust_store.root */
	const char	*ca_file;	/* trust_store.ca_file: no discovery */
	const char	*ca_dir;	/* trust_store.ca_dir */
	/* Environment to honour; NULL means the process environment. */
	const char	*(*getenv)(const char *);
	/* Or these "NAME=value" (NULL-terminated); wins over getenv. */
	char *const	*env;
	/*
	 * check: read only what is in effect; the other candidates are
	 * stat'ed (exists, changes), not read, and no runtimes report.
	 */
	int		 lean;
	/*
	 * The runtimes whose stores to load too (CONF_RT_BIT set), and the
	 * application's environment for them (rt_env_init).
	 */
	unsigned	 runtimes;
	const struct rt_env *app;
};

struct certset;

struct store {
	struct x509_store_st	*x509;		/* X509_STORE, the roots; shared */
	struct certset		*set;		/* x509's certificates, as DER */
	enum store_status	 status;
	char			*source;	/* "SSL_CERT_FILE", "discovery", "trust_store.ca_file", ... */
	char			*path;		/* main path in effect (file or dir), or NULL */
	int			 ncerts;	/* distinct certificates in x509 */
	char			*root;		/* "/" by default */
	char			*env_ssl_cert_file;	/* as seen, NULL when unset */
	char			*env_ssl_cert_dir;
	struct store_candidate	*cand;
	size_t			 ncand;
	time_t			 loaded_at;
	size_t			 nbase;		/* cand[] copied from a base store */
	struct rt_stores	*rts;		/* the runtimes' own, or NULL */
};

/* Where a candidate comes from (store_candidate.origin). */
#define STORE_ORIGIN_ENV_FILE	"SSL_CERT_FILE"
#define STORE_ORIGIN_ENV_DIR	"SSL_CERT_DIR"
#define STORE_ORIGIN_BUNDLE	"bundle"
#define STORE_ORIGIN_DIRECTORY	"directory"
#define STORE_ORIGIN_CONF_FILE	"trust_store.ca_file"
#define STORE_ORIGIN_CONF_DIR	"trust_store.ca_dir"
#define STORE_ORIGIN_CA_FILE	"ca_file"
#define STORE_ORIGIN_RUNTIME	"runtime"

/* What one runtime would load here, as the reports show it (runtime.c). */
struct store_rt_view {
	const char		*runtime;	/* "go" */
	const char		*title;		/* "Go (crypto/x509)" */
	enum store_status	 status;
	const char		*source;
	const char		*path;
	int			 ncerts;
	const char		*tried;
	const char		*error;		/* it refuses before verifying */
	int			 level;		/* security level, -1: its own */
	const char		*level_why;
	const char		*note;
};

/* probes/runtime.c */
/*
 * The runtimes of the set that s has a store for, at most max, into v.
 * The strings are s's. Returns how many.
 */
size_t		 store_rt_views(const struct store *, unsigned runtimes,
		    struct store_rt_view *v, size_t max);
/* Where the application's environment came from, or NULL. */
const char	*store_rt_env_source(const struct store *);

/* probes/store.c */
/* Never fails: a missing or empty store is a status, not an error. Caller frees. */
struct store	*store_load(const struct store_config *);
void		 store_free(struct store *);
/*
 * 1 when a file or directory in effect (or a candidate that was missing)
 * changed, or one the runtimes' stores read or looked for; for a store made
 * with a ca_file, only that file counts.
 */
int		 store_changed(const struct store *);
/* The same: the path (as the application sees it) of the first change, or NULL. */
const char	*store_change(const struct store *);
/*
 * Note path (as the application sees it under root) with what stat() says
 * of it now, once per path, missing or not: the files a runtime's store
 * read or looked for (STORE_ORIGIN_RUNTIME), which store_changed compares
 * again. store_watch_free frees the n.
 */
void		 store_watch_add(struct store_candidate **, size_t *n,
		    const char *root, const char *path);
void		 store_watch_free(struct store_candidate *, size_t n);
/*
 * The store a target with ca_file uses: base plus the file (append) or the
 * file alone (replace). Returns NULL with *cause set when the file yields no
 * certificate. Caller frees.
 */
struct store	*store_with_ca_file(const struct store *base, const char *ca_file,
		    enum conf_ca_mode, char **cause);
/*
 * The same after the file changed on disk, never NULL: a file that no longer
 * yields a certificate gives a store without any (STORE_MISSING when it is
 * gone, else STORE_EMPTY, the file's candidate saying why), in either mode,
 * so that a CA removed from the file is never trusted on. Caller frees.
 */
struct store	*store_with_ca_file_reread(const struct store *base,
		    const char *ca_file, enum conf_ca_mode);
/* "every path tried" for the trust_store_missing message. Caller frees. */
char		*store_paths_tried(const struct store *);
const char	*store_status_name(enum store_status);
/* A candidate's state in words ("missing", "146 certificates, 2 expired"). */
void		 store_cand_state(struct buf *, const struct store_candidate *);
/* Why an existing candidate is not in effect; NULL when it is. */
const char	*store_cand_unused(const struct store *,
		    const struct store_candidate *);
/* The first place discovery looks for a bundle (Go's list), for hints. */
const char	*store_default_bundle(void);
/*
 * Paths under a root are opened with openat2(RESOLVE_IN_ROOT) when the
 * kernel allows it; 0 makes this process resolve them by hand instead, as
 * it does without openat2 (tests). 1 goes back to finding out.
 */
void		 store_set_openat2(int);

/*
 * Reading under a root, for the runtimes' own stores (probes/runtime.c),
 * with the same rules as discovery: symlinks followed inside root, only
 * regular files opened, bounded sizes.
 */
/* The certificates of path under root into set; c says what was found. */
void		 store_read_file(const char *root, const char *path,
		    struct certset *, struct store_candidate *c);
/* Every regular file of a directory; hashed: OpenSSL's hashed names only. */
void		 store_read_dir(const char *root, const char *path, int hashed,
		    struct certset *, struct store_candidate *c);
void		 store_candidate_clear(struct store_candidate *);
/* A regular file's bytes, at most max. NULL with *why. Caller frees. */
unsigned char	*store_read_bytes(const char *root, const char *path,
		    size_t max, size_t *len, const char **why);
/* A regular file mapped read-only (a binary to scan). NULL with *why. */
void		*store_map(const char *root, const char *path, size_t *len,
		    const char **why);
void		 store_unmap(void *, size_t);
/* Does path exist under root (stat, symlinks followed inside root)? */
int		 store_exists(const char *root, const char *path,
		    struct stat *);
/* The names in a directory under root, sorted, no dot files. Caller frees. */
char		**store_list_dir(const char *root, const char *path, size_t *n);
/* Where a symlink under root leads, as the application sees it. */
char		*store_realpath(const char *root, const char *path);

#endif
