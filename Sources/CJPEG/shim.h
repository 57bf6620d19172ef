// libjpeg-turbo from Debian's libjpeg62-turbo-dev (the libjpeg API). Decoding goes through
// CJPEGReader, whose C catches libjpeg's errors: they longjmp, which Swift cannot.
#ifndef LATENT_CJPEG_SHIM_H
#define LATENT_CJPEG_SHIM_H
// jpeglib.h uses FILE and size_t without including what declares them (libjpeg.txt).
#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>
#endif
