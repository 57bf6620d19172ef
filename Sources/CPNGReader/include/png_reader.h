// Reads PNG files through libpng's full API, as stored sample values (no gamma), so that a
// 16-bit 50% grey reads as 0.5. libpng reports errors by longjmp, which Swift cannot catch,
// so the setjmp lives here in C and every function returns 1 on success or 0 with a message.
#ifndef LATENT_PNG_READER_H
#define LATENT_PNG_READER_H
#include <stddef.h>
#include <stdint.h>

/// What a PNG's header (IHDR) says, read before any pixel is decoded.
typedef struct {
    uint32_t width;
    uint32_t height;
    int bit_depth;   // bits per stored sample: 1, 2, 4, 8 or 16
    int color_type;  // 0 grey, 2 RGB, 3 palette, 4 grey and alpha, 6 RGBA
    int interlaced;  // 1 for Adam7, 0 for none
} latent_png_header;

/// Reads the signature and the header chunk (IHDR, always first) of the PNG in
/// bytes[0 ..< count], nothing after it. Returns 1, or 0 with a NUL-terminated reason in
/// message (message_size bytes at most). Allocates nothing.
int latent_png_read_header(const uint8_t *bytes, size_t count, latent_png_header *header,
                           char *message, size_t message_size);

/// Decodes the PNG in bytes[0 ..< count] into pixels, intensities in [0, 1]: each stored sample
/// divided by its maximum (255 or 65535; 1-, 2- and 4-bit grey scaled up to 8 bits first),
/// alpha and tRNS transparency ignored, gAMA, cHRM, sRGB and sBIT chunks not applied. With
/// out_channels 1, width * height greys row by row, colour made grey with Rec. 601 weights
/// (0.299 R + 0.587 G + 0.114 B); with 3, the red, green and blue planes one after the other,
/// a grey image's grey in all three. pixel_count must equal width * height * out_channels from
/// the header, else nothing is decoded. Allocates one row of samples (all rows for an
/// interlaced image). Returns 1, or 0 with a NUL-terminated reason in message.
int latent_png_read(const uint8_t *bytes, size_t count, int out_channels, float *pixels, size_t pixel_count,
                    char *message, size_t message_size);
#endif
