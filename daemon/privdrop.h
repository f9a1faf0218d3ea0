/* privdrop.h: root refusal and privilege drop for "run". */
#ifndef TP_PRIVDROP_H
#define TP_PRIVDROP_H

#include <sys/types.h>

/* daemon/privdrop.c */
/* "65532", "65532:65532", "nonroot", "nonroot:nonroot". */
int	privdrop_parse(const char *, uid_t *, gid_t *, char **cause);
int	privdrop_to(uid_t, gid_t, char **cause);

#endif
