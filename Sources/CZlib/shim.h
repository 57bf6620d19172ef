// zlib from Debian's zlib1g-dev: gzip-compressed IDX files are read through gzopen/gzread.
#ifndef LATENT_CZLIB_SHIM_H
#define LATENT_CZLIB_SHIM_H
#include <zlib.h>
#endif
