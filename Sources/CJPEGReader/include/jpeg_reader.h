// Decodes JPEG files from memory through libjpeg-turbo's libjpeg API. libjpeg reports errors by
// calling error_exit, which by default exits the process and in any replacement must not return;
// Swift cannot setjmp, and a longjmp over Swift frames would skip their cleanup. So the setjmp
// lives here in C, and every function returns 1 on success or 0 with a one-line reason.
#ifndef LATENT_JPEG_READER_H
#define LATENT_JPEG_READER_H
#include <stddef.h>
#include <stdint.h>

/// The colour spaces a JPEG can declare (libjpeg's J_COLOR_SPACE, as its header guesses it from
/// the component count and the JFIF and Adobe markers).
typedef enum {
    LATENT_JPEG_UNKNOWN = 0,
    LATENT_JPEG_GRAY = 1,
    LATENT_JPEG_YCBCR = 2,
    LATENT_JPEG_RGB = 3,
    LATENT_JPEG_CMYK = 4,
    LATENT_JPEG_YCCK = 5,
} latent_jpeg_color_space;

/// What a JPEG's headers (up to its first scan) say, read before any pixel is decoded.
typedef struct {
    uint32_t width;   // as the frame header (SOF) stores it, before any scaling or orientation
    uint32_t height;
    int components;   // 1 to 4 for the colour spaces above; up to 10 for unknown ones
    int color_space;  // a latent_jpeg_color_space
    int progressive;  // 1 for a progressive JPEG, 0 for a sequential (baseline) one
    // The output size when decoded at 1/1, 1/2, 1/4 and 1/8 (DCT scaling): scaled[k] is the size
    // at 1/(1 << k), as libjpeg computes it (each side rounded up).
    uint32_t scaled_width[4];
    uint32_t scaled_height[4];
} latent_jpeg_header;

/// Reads the markers of the JPEG in bytes[0 ..< count] up to its first scan (SOS), no entropy-
/// coded data. Returns 1, or 0 with a NUL-terminated reason in message (message_size bytes at
/// most). Allocates only libjpeg's small bookkeeping, freed before it returns.
int latent_jpeg_read_header(const uint8_t *bytes, size_t count, latent_jpeg_header *header,
                            char *message, size_t message_size);

/// Decodes the JPEG in bytes[0 ..< count] at 1/scale_denominator of its size (1, 2, 4 or 8,
/// through libjpeg's DCT scaling) into pixels, row by row, `channels` bytes a pixel: 1 for grey
/// (the luma Y of a YCbCr file, which is Rec. 601's 0.299 R + 0.587 G + 0.114 B of the encoded
/// colour), 3 for RGB (a grayscale file repeated in all three). Only grayscale and YCbCr files
/// are decoded. pixel_count must equal scaled width * scaled height * channels as
/// latent_jpeg_read_header reports them, else nothing is decoded.
///
/// Any libjpeg warning that means lost data is an error: a truncated file ("Premature end of
/// JPEG file", which libjpeg pads with grey), corrupt entropy-coded data. Harmless ones (stray
/// bytes between markers, an unknown JFIF revision, a bad ICC profile) are allowed. A
/// progressive file of more than 1000 scans is refused (many tiny scans can keep a decoder busy
/// for minutes), and libjpeg's own memory is capped at 1 GiB.
///
/// Allocates libjpeg's buffers: a few rows for a sequential file, every DCT coefficient of the
/// image (2 bytes a sample) for a progressive one. Returns 1, or 0 with a reason in message.
int latent_jpeg_decode(const uint8_t *bytes, size_t count, int scale_denominator, int channels,
                       uint8_t *pixels, size_t pixel_count, char *message, size_t message_size);
#endif
