// The C library's calls that Swift cannot reach directly: O_TMPFILE is a macro built from
// other macros, and the pseudo-terminal calls need _XOPEN_SOURCE; Swift imports neither.
#ifndef LATENT_CPOSIX_SHIM_H
#define LATENT_CPOSIX_SHIM_H
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/// Opens an unnamed regular file in `directory` for writing (Linux O_TMPFILE): it has no name
/// until linkat gives it one, and vanishes with the process otherwise. -1 and errno on failure;
/// EOPNOTSUPP or EISDIR when the file system cannot.
static inline int latent_open_unnamed_file(const char *directory, mode_t mode) {
    return open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
}

/// posix_spawn's flag for starting the child in a new session (a GNU extension).
static inline short latent_spawn_new_session_flag(void) {
    return POSIX_SPAWN_SETSID;
}

/// Opens a new pseudo-terminal's master end and writes its slave's path into `name`; the
/// functions behind it are declared only for _XOPEN_SOURCE, which Swift's Glibc module lacks.
/// -1 and errno on failure.
static inline int latent_open_pseudo_terminal(char *name, size_t size) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) return -1;
    if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, size) != 0) {
        close(master);
        return -1;
    }
    return master;
}
#endif
