/* PNG through libpng: any bit depth, palette, tRNS, alpha or Adam7 interlace
 * becomes 8-bit RGB composited over white. */
#include "common.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>

/* Where a libpng error jumps to and what it says: first in both contexts, so one handler serves both. */
typedef struct {
    jmp_buf jump;
    char *message;
} png_failure;

static void on_error(png_structp png, png_const_charp text) {
    png_failure *failure = png_get_error_ptr(png);
    fsc_set_message(failure->message, text);
    longjmp(failure->jump, 1);
}

typedef struct {
    png_failure failure;
    const uint8_t *data;
    size_t size, offset;
    int truncated;
    int warnings;
} png_ctx;

/* Ancillary-chunk problems (bad sRGB profile, CRC of a text chunk) are benign:
 * the pixels are intact. They are counted, not printed. */
static void on_warning(png_structp png, png_const_charp text) {
    (void)text;
    png_ctx *ctx = png_get_error_ptr(png);
    ctx->warnings++;
}

static void read_memory(png_structp png, png_bytep dst, png_size_t n) {
    png_ctx *ctx = png_get_io_ptr(png);
    if (n > ctx->size - ctx->offset) {
        ctx->truncated = 1;
        png_error(png, "file ends before the image data does");
    }
    memcpy(dst, ctx->data + ctx->offset, n);
    ctx->offset += n;
}

int fsc_decode_png(const uint8_t *data, size_t size, const fsc_limits *limits, fsc_image *out, char *message) {
    memset(out, 0, sizeof *out);
    out->orientation = 1;
    fsc_set_message(message, "");
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        fsc_set_message(message, "not a PNG signature");
        return FSC_CORRUPT;
    }
    png_ctx ctx = {.failure.message = message, .data = data, .size = size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    if (!png) { fsc_set_message(message, "out of memory"); return FSC_NO_MEMORY; }
    png_infop info = png_create_info_struct(png);
    uint8_t *volatile rgba = NULL;
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        fsc_set_message(message, "out of memory");
        return FSC_NO_MEMORY;
    }
    if (setjmp(ctx.failure.jump)) {
        free(rgba);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return ctx.truncated ? FSC_TRUNCATED : FSC_CORRUPT;
    }
    png_set_read_fn(png, &ctx, read_memory);
    png_set_chunk_malloc_max(png, 16u << 20);
    png_read_info(png, info);

    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int status = fsc_check_limits(w, h, limits, message);
    if (status != FSC_OK) { png_destroy_read_struct(&png, &info, NULL); return status; }

    int color = png_get_color_type(png, info);
    png_set_expand(png);                       /* palette → RGB, gray < 8 bit → 8 bit, tRNS → alpha */
    png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);   /* always RGBA */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 4) png_error(png, "unexpected row layout after expansion");

    rgba = malloc((size_t)w * h * 4);
    rows = malloc(sizeof(png_bytep) * h);
    if (!rgba || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = rgba + (size_t)y * w * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);

    /* Composite over white in place: a cut-out on transparency is a product on white. */
    uint8_t *p = rgba;
    for (size_t i = 0, n = (size_t)w * h; i < n; i++) {
        unsigned a = p[4 * i + 3];
        for (int c = 0; c < 3; c++) p[3 * i + c] = (uint8_t)((p[4 * i + c] * a + 255 * (255 - a) + 127) / 255);
    }
    out->rgb = realloc(rgba, (size_t)w * h * 3);
    if (!out->rgb) out->rgb = rgba;
    rgba = NULL;
    free(rows);
    rows = NULL;
    out->width = out->source_width = w;
    out->height = out->source_height = h;
    out->warnings = ctx.warnings;
    png_destroy_read_struct(&png, &info, NULL);
    return FSC_OK;
}

typedef struct {
    png_failure failure;
    uint8_t *buf;
    size_t size, capacity;
    int failed;
} png_writer;

static void write_memory(png_structp png, png_bytep src, png_size_t n) {
    png_writer *w = png_get_io_ptr(png);
    if (w->size + n > w->capacity) {
        size_t cap = w->capacity ? w->capacity : 4096;
        while (cap < w->size + n) cap *= 2;
        uint8_t *b = realloc(w->buf, cap);
        if (!b) png_error(png, "out of memory");
        w->buf = b;
        w->capacity = cap;
    }
    memcpy(w->buf + w->size, src, n);
    w->size += n;
}

static void flush_memory(png_structp png) { (void)png; }

int fsc_encode_png(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int interlaced,
                   uint8_t **out, size_t *out_size, char *message) {
    *out = NULL;
    *out_size = 0;
    int type = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 3 ? PNG_COLOR_TYPE_RGB
             : channels == 4 ? PNG_COLOR_TYPE_RGBA : -1;
    if (type < 0 || width == 0 || height == 0) { fsc_set_message(message, "bad image shape"); return FSC_UNSUPPORTED; }
    png_writer w = {.failure.message = message};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &w, on_error, NULL);
    if (!png) return FSC_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (!info || setjmp(w.failure.jump)) {
        free(rows);
        free(w.buf);
        png_destroy_write_struct(&png, &info);
        return FSC_NO_MEMORY;
    }
    png_set_write_fn(png, &w, write_memory, flush_memory);
    png_set_IHDR(png, info, width, height, 8, type, interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    rows = malloc(sizeof(png_bytep) * height);
    if (!rows) png_error(png, "out of memory");
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)pixels + (size_t)y * width * channels;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    png_destroy_write_struct(&png, &info);
    *out = w.buf;
    *out_size = w.size;
    return FSC_OK;
}

void fsc_free(void *p) { free(p); }

void fsc_image_free(fsc_image *image) {
    free(image->rgb);
    image->rgb = NULL;
}
