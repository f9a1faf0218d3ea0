/*
 * log.h: the small fixed logging API (as tmux's log.c). One line per event
 * on stderr, logfmt or JSON; values are escaped so that a hostile string
 * (a certificate subject, a server's header) cannot forge a line or a field.
 *
 * Fields are key/value string pairs terminated by NULL:
 *	log_info("listening", "addr", "127.0.0.1:9797", NULL);
 */
#ifndef TP_LOG_H
#define TP_LOG_H

#include <stdio.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

enum log_format {
	LOG_FORMAT_LOGFMT,
	LOG_FORMAT_JSON,
};

/* Maximum length of one line; a longer one is cut and marked truncated=true. */
#define LOG_LINE_MAX	8192

void		 log_open(FILE *, enum log_format, enum log_level);
void		 log_set_format(enum log_format);
void		 log_set_level(enum log_level);
/* The names the config file uses ("debug", "logfmt"). */
const char	*log_level_name(enum log_level);
const char	*log_format_name(enum log_format);

void	log_emit(enum log_level, const char *msg, ...)
	    __attribute__((sentinel));
#define log_debug(...)	log_emit(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_emit(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_emit(LOG_WARN, __VA_ARGS__)
#define log_error(...)	log_emit(LOG_ERROR, __VA_ARGS__)
void	fatal(const char *msg, ...)
	    __attribute__((sentinel, noreturn));

/*
 * libevent's log callback (event_set_log_callback): its messages (evdns's
 * "Nameserver ... has failed") as our lines, with from=libevent, at the
 * level of their severity; at most 10 a minute, then one line saying how
 * many were left out. log_libevent_at takes the monotonic time (tests).
 */
void	log_libevent(int severity, const char *msg);
void	log_libevent_at(long long now_ms, int severity, const char *msg);

/*
 * Format one line into buf (always NUL-terminated, at most size bytes).
 * now_ms is wall-clock milliseconds since the epoch. Exposed for tests.
 */
size_t	log_format_line(char *buf, size_t size, enum log_format,
	    long long now_ms, enum log_level, const char *msg,
	    const char *const *kv, size_t nkv);

#endif
