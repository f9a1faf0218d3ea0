/* notify.h: sd_notify without libsystemd. */
#ifndef TP_NOTIFY_H
#define TP_NOTIFY_H

/* daemon/notify.c */
/* 1 sent, 0 no $NOTIFY_SOCKET, -1 error. */
int	notify_send(const char *);

#endif
