// reference: libjpeg-turbo 2.1 libjpeg.txt ("Decompression details", "Error handling",
// "Progressive JPEG support", "Memory management"), and example.c's setjmp error manager.
#include "jpeg_reader.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

// A legitimate progressive JPEG has about 10 scans; libjpeg accepts any number, and thousands
// of tiny scans make each one cost a pass over the whole image.
#define MAX_SCANS 1000
// libjpeg's own allocations (a progressive image's coefficients above all). The largest image
// latent reads, 8192 x 8192 with three full-resolution components, needs 384 MiB of them.
#define MAX_MEMORY (1L << 30)

// On the heap rather than the stack: it is written between setjmp and longjmp, and only
// volatile locals keep their values across a longjmp.
typedef struct {
    struct jpeg_error_mgr error;  // first, so that cinfo->err casts to the context
    struct jpeg_progress_mgr progress;
    struct jpeg_decompress_struct cinfo;
    jmp_buf jump;
    char *message;
    size_t message_size;
    int created;
} context;

static context *from(j_common_ptr cinfo) { return (context *)cinfo->err; }

static void on_error(j_common_ptr cinfo) {
    context *c = from(cinfo);
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    snprintf(c->message, c->message_size, "%s", text);
    longjmp(c->jump, 1);
}

// libjpeg's warnings mean either lost pixels, which it fills with grey and goes on, or
// something harmless. The first kind are errors here; the second are counted and dropped (the
// default prints them to stderr, and latent's errors are one line). Trace messages
// (msg_level >= 0) are dropped.
static void on_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level >= 0) return;
    cinfo->err->num_warnings++;
    switch (cinfo->err->msg_code) {
    case JWRN_EXTRANEOUS_DATA:  // stray bytes before a marker, often padding before EOI
    case JWRN_JFIF_MAJOR:       // a JFIF revision newer than 1.x
    case JWRN_BOGUS_ICC:        // a malformed ICC profile, which latent does not use
        return;
    case JWRN_JPEG_EOF: {
        context *c = from(cinfo);
        snprintf(c->message, c->message_size, "the file ends before its image data does");
        longjmp(c->jump, 1);
    }
    default:
        on_error(cinfo);
    }
}

static void on_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > MAX_SCANS) {
        context *c = from(cinfo);
        snprintf(c->message, c->message_size, "more than %d progressive scans", MAX_SCANS);
        longjmp(c->jump, 1);
    }
}

static context *new_context(char *message, size_t message_size) {
    context *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(message, message_size, "out of memory");
        return NULL;
    }
    c->message = message;
    c->message_size = message_size;
    c->cinfo.err = jpeg_std_error(&c->error);
    c->error.error_exit = on_error;
    c->error.emit_message = on_message;
    c->progress.progress_monitor = on_progress;
    return c;
}

static void free_context(context *c) {
    if (c->created) jpeg_destroy_decompress(&c->cinfo);
    free(c);
}

// Creates the decompressor on c's input, reads up to the first scan and returns the colour
// space. Longjmps on error: call after setjmp.
static int start(context *c, const uint8_t *bytes, size_t count) {
    jpeg_create_decompress(&c->cinfo);
    c->created = 1;
    c->cinfo.mem->max_memory_to_use = MAX_MEMORY;
    c->cinfo.progress = &c->progress;
    jpeg_mem_src(&c->cinfo, bytes, (unsigned long)count);
    jpeg_read_header(&c->cinfo, TRUE);
    switch (c->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: return LATENT_JPEG_GRAY;
    case JCS_YCbCr: return LATENT_JPEG_YCBCR;
    case JCS_RGB: return LATENT_JPEG_RGB;
    case JCS_CMYK: return LATENT_JPEG_CMYK;
    case JCS_YCCK: return LATENT_JPEG_YCCK;
    default: return LATENT_JPEG_UNKNOWN;
    }
}

int latent_jpeg_read_header(const uint8_t *bytes, size_t count, latent_jpeg_header *header,
                            char *message, size_t message_size) {
    context *c = new_context(message, message_size);
    if (c == NULL) return 0;
    if (setjmp(c->jump)) {
        free_context(c);
        return 0;
    }
    memset(header, 0, sizeof *header);
    header->color_space = start(c, bytes, count);
    header->width = c->cinfo.image_width;
    header->height = c->cinfo.image_height;
    header->components = c->cinfo.num_components;
    header->progressive = c->cinfo.progressive_mode ? 1 : 0;
    for (int k = 0; k < 4; k++) {
        c->cinfo.scale_num = 1;
        c->cinfo.scale_denom = 1u << k;
        jpeg_calc_output_dimensions(&c->cinfo);
        header->scaled_width[k] = c->cinfo.output_width;
        header->scaled_height[k] = c->cinfo.output_height;
    }
    free_context(c);
    return 1;
}

int latent_jpeg_decode(const uint8_t *bytes, size_t count, int scale_denominator, int channels,
                       uint8_t *pixels, size_t pixel_count, char *message, size_t message_size) {
    if ((scale_denominator != 1 && scale_denominator != 2 && scale_denominator != 4 && scale_denominator != 8)
        || (channels != 1 && channels != 3)) {
        snprintf(message, message_size, "scale 1/%d or %d channels asked for", scale_denominator, channels);
        return 0;
    }
    context *c = new_context(message, message_size);
    if (c == NULL) return 0;
    if (setjmp(c->jump)) {
        free_context(c);
        return 0;
    }
    int space = start(c, bytes, count);
    if (space != LATENT_JPEG_GRAY && space != LATENT_JPEG_YCBCR) {
        snprintf(message, message_size, "only grayscale and YCbCr JPEGs are decoded");
        free_context(c);
        return 0;
    }
    c->cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    c->cinfo.scale_num = 1;
    c->cinfo.scale_denom = (unsigned int)scale_denominator;
    jpeg_calc_output_dimensions(&c->cinfo);
    size_t width = c->cinfo.output_width, height = c->cinfo.output_height;
    if (c->cinfo.output_components != channels || width == 0 || height == 0
        || width > SIZE_MAX / channels / height || width * height * channels != pixel_count) {
        snprintf(message, message_size, "the pixel buffer does not match the header");
        free_context(c);
        return 0;
    }
    // Reads every scan of a progressive file here, calling on_progress after each.
    jpeg_start_decompress(&c->cinfo);
    size_t row_bytes = width * channels;
    while (c->cinfo.output_scanline < c->cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)c->cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&c->cinfo, &row, 1);
    }
    // What follows the last scan (EOI) is not read: the pixels are all here. A file cut inside
    // its entropy-coded data has made libjpeg run dry, and on_message has refused it; one cut
    // after its last byte of pixel data, before EOI, reads whole.
    free_context(c);
    return 1;
}
