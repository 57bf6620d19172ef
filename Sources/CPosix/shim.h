// The C library's file calls that Swift cannot reach directly: O_TMPFILE is a macro built
// from other macros, which Swift does not import.
#ifndef LATENT_CPOSIX_SHIM_H
#define LATENT_CPOSIX_SHIM_H
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

/// Opens an unnamed regular file in `directory` for writing (Linux O_TMPFILE): it has no name
/// until linkat gives it one, and vanishes with the process otherwise. -1 and errno on failure;
/// EOPNOTSUPP or EISDIR when the file system cannot.
static inline int latent_open_unnamed_file(const char *directory, mode_t mode) {
    return open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
}
#endif
