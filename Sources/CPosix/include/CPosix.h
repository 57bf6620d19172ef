// The C library's calls that Swift cannot reach directly: O_TMPFILE is a macro built from
// other macros, and the pseudo-terminal and new-session calls are declared only for
// _GNU_SOURCE, which must not leak into the headers Swift's other modules share. So this
// header declares plain functions, and posix.c defines them with _GNU_SOURCE.
#ifndef LATENT_CPOSIX_H
#define LATENT_CPOSIX_H
#include <stddef.h>

/// Opens an unnamed regular file in `directory` for writing (Linux O_TMPFILE): it has no name
/// until linkat gives it one, and vanishes with the process otherwise. -1 and errno on failure;
/// EOPNOTSUPP or EISDIR when the file system cannot.
int latent_open_unnamed_file(const char *directory, unsigned int mode);

/// posix_spawn's flag for starting the child in a new session (POSIX_SPAWN_SETSID).
short latent_spawn_new_session_flag(void);

/// Opens a new pseudo-terminal's master end and writes its slave's path into `name`.
/// -1 and errno on failure.
int latent_open_pseudo_terminal(char *name, size_t size);
#endif
