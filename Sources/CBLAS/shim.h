// OpenBLAS's CBLAS interface, from Debian's libopenblas-dev.
//
// The library is not linked: VAECore loads it with dlopen, so that it can choose OpenBLAS's
// kernel set (OPENBLAS_CORETYPE) before the library initialises. These typedefs give Swift the
// exact C signatures to cast the looked-up symbols to.
#ifndef LATENT_CBLAS_SHIM_H
#define LATENT_CBLAS_SHIM_H

#include <cblas.h>

typedef __typeof__(&cblas_sgemm) latent_sgemm_fn;
typedef __typeof__(&openblas_set_num_threads) latent_set_num_threads_fn;
typedef __typeof__(&openblas_get_num_threads) latent_get_num_threads_fn;
typedef __typeof__(&openblas_get_corename) latent_get_corename_fn;
typedef __typeof__(&openblas_get_config) latent_get_config_fn;

#endif
