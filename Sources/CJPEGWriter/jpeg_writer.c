#include "jpeg_writer.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

// On the heap: written between setjmp and longjmp (see the reader).
typedef struct {
    struct jpeg_error_mgr error;  // first, so that cinfo->err casts to the context
    struct jpeg_compress_struct cinfo;
    jmp_buf jump;
    char *message;
    size_t message_size;
} context;

static void on_error(j_common_ptr cinfo) {
    context *c = (context *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    snprintf(c->message, c->message_size, "%s", text);
    longjmp(c->jump, 1);
}

// Warnings while encoding say nothing a user could act on: dropped, not printed.
static void on_message(j_common_ptr cinfo, int msg_level) { (void)cinfo; (void)msg_level; }

int latent_jpeg_encode(const uint8_t *pixels, int width, int height, int channels, int quality,
                       uint8_t **out, size_t *out_size, char *message, size_t message_size) {
    context *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(message, message_size, "out of memory");
        return 0;
    }
    c->message = message;
    c->message_size = message_size;
    c->cinfo.err = jpeg_std_error(&c->error);
    c->error.error_exit = on_error;
    c->error.emit_message = on_message;
    // Set by jpeg_mem_dest, freed here on failure and by the caller on success.
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    if (setjmp(c->jump)) {
        jpeg_destroy_compress(&c->cinfo);
        free(buffer);
        free(c);
        return 0;
    }
    jpeg_create_compress(&c->cinfo);
    jpeg_mem_dest(&c->cinfo, (unsigned char **)&buffer, &size);
    c->cinfo.image_width = (JDIMENSION)width;
    c->cinfo.image_height = (JDIMENSION)height;
    c->cinfo.input_components = channels;
    c->cinfo.in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&c->cinfo);
    jpeg_set_quality(&c->cinfo, quality, TRUE);
    jpeg_start_compress(&c->cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (c->cinfo.next_scanline < c->cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)c->cinfo.next_scanline * stride);
        jpeg_write_scanlines(&c->cinfo, &row, 1);
    }
    jpeg_finish_compress(&c->cinfo);
    jpeg_destroy_compress(&c->cinfo);
    free(c);
    *out = buffer;
    *out_size = size;
    return 1;
}
