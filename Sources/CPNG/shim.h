// libpng from Debian's libpng-dev, through its simplified API (png_image), for writing.
// Reading goes through the full API in CPNGReader, which keeps 16-bit samples as stored.
#ifndef LATENT_CPNG_SHIM_H
#define LATENT_CPNG_SHIM_H
#include <png.h>

/// A zeroed png_image of this libpng's version (PNG_IMAGE_VERSION is a macro).
static inline png_image latent_png_image(void) {
    png_image image = {0};
    image.version = PNG_IMAGE_VERSION;
    return image;
}

/// Encodes 8-bit pixels, gray (1 channel) or interleaved RGB (3), as PNG into memory. With a
/// NULL buffer, sets *size to the bytes needed; returns nonzero on success.
static inline int latent_png_write(png_image *image, void *buffer, png_alloc_size_t *size, const void *pixels, int channels) {
    image->format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    return png_image_write_to_memory(image, buffer, size, 0, pixels, 0, NULL);
}
#endif
