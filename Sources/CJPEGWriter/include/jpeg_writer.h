// libjpeg's encoder for pictures latent writes, behind a setjmp: libjpeg reports errors by
// longjmp, which must not cross Swift frames.
#ifndef LATENT_JPEG_WRITER_H
#define LATENT_JPEG_WRITER_H
#include <stddef.h>
#include <stdint.h>

/// Encodes `width` x `height` 8-bit pixels, gray (`channels` 1) or interleaved RGB (3), as a
/// baseline JPEG of `quality` (1-100) into memory that the caller frees with free(). Returns 1
/// with *out and *out_size set, or 0 with a reason in message.
int latent_jpeg_encode(const uint8_t *pixels, int width, int height, int channels, int quality,
                       uint8_t **out, size_t *out_size, char *message, size_t message_size);
#endif
