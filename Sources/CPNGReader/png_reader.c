// reference: libpng 1.6 manual (libpng-manual.txt), "IV. Reading" with the transforms of
// section "Transformations you can do".
#include "png_reader.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The grey of a colour pixel must round exactly as Netpbm.swift's does, so that a PPM and a PNG
// of one picture read the same: no fused multiply-add.
#pragma STDC FP_CONTRACT OFF

// On the heap rather than the stack: it is written between setjmp and longjmp, and only
// volatile locals keep their values across a longjmp.
typedef struct {
    const uint8_t *bytes;
    size_t count;
    size_t offset;
    char *message;
    size_t message_size;
    png_bytep rows;
} reader;

static void on_error(png_structp png, png_const_charp text) {
    reader *r = png_get_error_ptr(png);
    snprintf(r->message, r->message_size, "%s", text);
    png_longjmp(png, 1);
}

// libpng prints warnings (a bad ancillary chunk, say) to stderr; a warning does not stop the
// read, and latent's errors are one line, so they are dropped.
static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void on_read(png_structp png, png_bytep out, size_t length) {
    reader *r = png_get_io_ptr(png);
    if (length > r->count - r->offset) png_error(png, "the file ends early");
    memcpy(out, r->bytes + r->offset, length);
    r->offset += length;
}

static reader *new_reader(const uint8_t *bytes, size_t count, char *message, size_t message_size) {
    if (count < 8 || png_sig_cmp(bytes, 0, 8) != 0) {
        snprintf(message, message_size, "%s", count < 8 ? "the file ends early" : "bad PNG signature");
        return NULL;
    }
    reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        snprintf(message, message_size, "out of memory");
        return NULL;
    }
    r->bytes = bytes;
    r->count = count;
    r->message = message;
    r->message_size = message_size;
    return r;
}

static void free_reader(reader *r, png_structp *png, png_infop *info) {
    if (*png != NULL) png_destroy_read_struct(png, info, NULL);
    free(r->rows);
    free(r);
}

/// Sample `i` of a row of 8- or 16-bit samples (16-bit ones big-endian, as stored) over its maximum.
static inline float sample_at(const png_byte *row, size_t i, int depth) {
    return depth == 8 ? (float)row[i] / 255.0f : (float)(row[2 * i] << 8 | row[2 * i + 1]) / 65535.0f;
}

/// A row of `channels` samples a pixel (grey, grey and alpha, RGB or RGBA) to intensities: into
/// out[0] alone as grey (colour by Rec. 601 weights, each sample divided by its maximum first, as
/// in Netpbm.swift), or into the three planes out[0], out[1], out[2] as red, green and blue
/// (grey repeated in all three).
static void row_to_planes(const png_byte *row, float *out[3], png_uint_32 width, int channels, int depth,
                          int out_channels) {
    for (png_uint_32 x = 0; x < width; x++) {
        size_t s = (size_t)x * channels;
        if (channels < 3) {
            float grey = sample_at(row, s, depth);
            for (int c = 0; c < out_channels; c++) out[c][x] = grey;
        } else {
            float red = sample_at(row, s, depth), green = sample_at(row, s + 1, depth), blue = sample_at(row, s + 2, depth);
            if (out_channels == 1) {
                out[0][x] = 0.299f * red + 0.587f * green + 0.114f * blue;
            } else {
                out[0][x] = red;
                out[1][x] = green;
                out[2][x] = blue;
            }
        }
    }
}

int latent_png_read_header(const uint8_t *bytes, size_t count, latent_png_header *header,
                           char *message, size_t message_size) {
    // IHDR by hand: libpng's png_read_info would go on through every chunk before the image
    // data. The signature, then IHDR, which the PNG specification puts first: length 13, type,
    // width, height, bit depth, colour type, compression, filter, interlace. latent_png_read
    // checks all of it again, CRC included.
    static const uint8_t ihdr[8] = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    if (count < 8 || png_sig_cmp(bytes, 0, 8) != 0) {
        snprintf(message, message_size, "%s", count < 8 ? "the file ends early" : "bad PNG signature");
        return 0;
    }
    if (count < 8 + 8 + 13) {
        snprintf(message, message_size, "the file ends early");
        return 0;
    }
    if (memcmp(bytes + 8, ihdr, 8) != 0) {
        snprintf(message, message_size, "the first chunk is not a 13-byte IHDR");
        return 0;
    }
    const uint8_t *data = bytes + 16;
    header->width = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    header->height = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 | data[7];
    header->bit_depth = data[8];
    header->color_type = data[9];
    header->interlaced = data[12] != 0;
    return 1;
}

int latent_png_read(const uint8_t *bytes, size_t count, int out_channels, float *pixels, size_t pixel_count,
                    char *message, size_t message_size) {
    reader *r = new_reader(bytes, count, message, message_size);
    if (r == NULL) return 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, on_error, on_warning);
    png_infop info = png == NULL ? NULL : png_create_info_struct(png);
    if (info == NULL) {
        snprintf(message, message_size, "out of memory");
        free_reader(r, &png, &info);
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        free_reader(r, &png, &info);
        return 0;
    }
    png_set_read_fn(png, r, on_read);
    png_read_info(png, info);
    png_uint_32 width, height;
    int depth, color_type, interlace;
    png_get_IHDR(png, info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);
    if ((out_channels != 1 && out_channels != 3) || (size_t)width * height * out_channels != pixel_count) {
        png_error(png, "the pixel buffer does not match the header");
    }
    size_t plane = (size_t)width * height;

    // Samples as stored, widened to 8 bits when narrower; 16 bits kept. No png_set_gamma or
    // png_set_alpha_mode, so gAMA, sRGB and iCCP change nothing; no png_set_shift, so sBIT
    // neither. Alpha is dropped, not composed: the colour stored under a transparent pixel is
    // what reads, as PIL's convert("L") and torchvision's read_image do.
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if ((color_type & PNG_COLOR_MASK_ALPHA) != 0) png_set_strip_alpha(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int out_depth = png_get_bit_depth(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if ((out_depth != 8 && out_depth != 16) || channels < 1 || channels > 4
        || rowbytes != (size_t)width * channels * (out_depth / 8)) {
        png_error(png, "unexpected sample layout after expansion");
    }
    // Adam7 fills each row over several passes, so an interlaced image keeps all its rows.
    size_t kept = passes > 1 ? height : 1;
    if (rowbytes > SIZE_MAX / kept) png_error(png, "image too large");
    r->rows = malloc(rowbytes * kept);
    if (r->rows == NULL) png_error(png, "out of memory");
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < height; y++) {
            png_bytep row = r->rows + (passes > 1 ? (size_t)y * rowbytes : 0);
            png_read_row(png, row, NULL);
            if (pass == passes - 1) {
                float *out[3] = {NULL, NULL, NULL};
                for (int c = 0; c < out_channels; c++) out[c] = pixels + c * plane + (size_t)y * width;
                row_to_planes(row, out, width, channels, out_depth, out_channels);
            }
        }
    }
    // Chunks after the image data are not read: the pixels are all here.
    free_reader(r, &png, &info);
    return 1;
}
