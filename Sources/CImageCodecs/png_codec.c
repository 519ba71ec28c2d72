/* PNG through libpng: any bit depth, palette, tRNS, alpha or Adam7 interlace
 * becomes 8-bit RGB composited over white; eXIf gives the orientation. Every
 * other ancillary chunk (text, ICC profiles, unknown ones) is skipped unread:
 * compressed text can inflate a thousandfold and we need none of it. */
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
    uint64_t deadline;
    int costly;
    int orientation;
} png_ctx;

/* Ancillary chunks: eXIf gives the orientation; everything else is dropped. */
static int on_chunk(png_structp png, png_unknown_chunkp chunk) {
    png_ctx *ctx = png_get_user_chunk_ptr(png);
    if (memcmp(chunk->name, "eXIf", 4) == 0) ctx->orientation = fsc_exif_orientation(chunk->data, chunk->size);
    return 1;  /* handled: libpng keeps nothing */
}

/* Images above this many pixels are decoded a row at a time and area-averaged down as they are
 * read, so a decompression bomb at the pixel limit never needs its full-size buffer. */
#define FSC_PNG_WHOLE_PIXELS (4u << 20)

/* After each row: give up once past the time limit. */
static void on_row(png_structp png, png_uint_32 row, int pass) {
    (void)row; (void)pass;
    png_ctx *ctx = png_get_io_ptr(png);
    if (ctx->deadline && fsc_now_ms() > ctx->deadline) {
        ctx->costly = 1;
        png_error(png, "decoding took longer than the time limit");
    }
}

/* Composites RGBA over white: a cut-out on transparency is a product on white. */
static inline uint8_t over_white(const uint8_t *px, int c) {
    unsigned a = px[3];
    if (a == 255) return px[c];  /* most pixels: no division */
    return (uint8_t)((px[c] * a + 255 * (255 - a) + 127) / 255);
}

/* Reads `h` rows of `w` pixels one by one into `out` [w/f × h/f × 3], each output pixel the mean of an
 * f × f block. Without interlace handling an Adam7 image's first pass comes first, as rows of its own:
 * every 8th pixel of every 8th row. */
static void read_averaged(png_structp png, uint32_t w, uint32_t h, uint32_t f, uint8_t *row, uint32_t *sums,
                          uint8_t *out) {
    uint32_t ow = w / f, oh = h / f;
    for (uint32_t y = 0; y < h; y++) {
        png_read_row(png, row, NULL);
        uint32_t oy = y / f;
        if (oy >= oh) continue;  /* the rows below the last whole block are read and dropped */
        const uint8_t *px = row;
        for (uint32_t ox = 0; ox < ow; ox++) {
            uint32_t *sum = sums + (size_t)ox * 3;
            for (uint32_t k = 0; k < f; k++, px += 4) {
                sum[0] += over_white(px, 0);
                sum[1] += over_white(px, 1);
                sum[2] += over_white(px, 2);
            }
        }
        if (y % f == f - 1) {
            for (size_t i = 0; i < (size_t)ow * 3; i++) {
                out[(size_t)oy * ow * 3 + i] = (uint8_t)((sums[i] + f * f / 2) / (f * f));
                sums[i] = 0;
            }
        }
    }
}

/* Ancillary-chunk problems (bad sRGB profile, CRC of a text chunk) are benign:
 * the pixels are intact. They are counted, not printed. */
static void on_warning(png_structp png, png_const_charp text) {
    (void)text;
    png_ctx *ctx = png_get_error_ptr(png);
    ctx->warnings++;
}

/* Every byte passes here, chunks skipped or not: the time limit covers the whole decode, not only rows. */
static void read_memory(png_structp png, png_bytep dst, png_size_t n) {
    png_ctx *ctx = png_get_io_ptr(png);
    if (ctx->deadline && fsc_now_ms() > ctx->deadline) {
        ctx->costly = 1;
        png_error(png, "decoding took longer than the time limit");
    }
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
    png_ctx ctx = {.failure.message = message, .data = data, .size = size,
                   .deadline = fsc_deadline(limits, fsc_now_ms()), .orientation = 1};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    if (!png) { fsc_set_message(message, "out of memory"); return FSC_NO_MEMORY; }
    png_infop info = png_create_info_struct(png);
    uint8_t *volatile rgba = NULL;
    png_bytep *volatile rows = NULL;
    uint32_t *volatile sums = NULL;
    uint8_t *volatile small = NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        fsc_set_message(message, "out of memory");
        return FSC_NO_MEMORY;
    }
    if (setjmp(ctx.failure.jump)) {
        free(rgba);
        free(rows);
        free(sums);
        free(small);
        png_destroy_read_struct(&png, &info, NULL);
        return ctx.costly ? FSC_TOO_COSTLY : ctx.truncated ? FSC_TRUNCATED : FSC_CORRUPT;
    }
    png_set_read_fn(png, &ctx, read_memory);
    png_set_read_status_fn(png, on_row);
    /* Every ancillary chunk but tRNS (transparency) goes to on_chunk as it is, never inflated, and at most
     * 1 MB of it is ever allocated (a larger one is skipped with a warning): libpng's own eXIf reader would
     * allocate whatever length the chunk claims. */
    static const png_byte transparency[] = {'t', 'R', 'N', 'S', 0};
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_AS_DEFAULT, transparency, 1);
    png_set_read_user_chunk_fn(png, &ctx, on_chunk);
    png_set_chunk_cache_max(png, 64);
    png_set_chunk_malloc_max(png, 1u << 20);
    png_read_info(png, info);
    out->orientation = ctx.orientation;

    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int status = fsc_check_limits(w, h, limits, message);
    if (status != FSC_OK) { png_destroy_read_struct(&png, &info, NULL); return status; }

    int color = png_get_color_type(png, info);
    png_set_expand(png);                       /* palette → RGB, gray < 8 bit → 8 bit, tRNS → alpha */
    png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);   /* always RGBA */
    int interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    /* A large image is read row by row and averaged down; an interlaced one only its first Adam7 pass
     * (1/64 of its pixels, which is far more than the conversion needs): never its full-size buffer. */
    int streamed = limits->min_long_side > 0 && (uint64_t)w * h > FSC_PNG_WHOLE_PIXELS;
    if (!streamed) png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 4) png_error(png, "unexpected row layout after expansion");
    uint32_t rw = interlaced && streamed ? (w + 7) / 8 : w, rh = interlaced && streamed ? (h + 7) / 8 : h;

    /* The largest block size that keeps the long side at min_long_side or more. */
    uint32_t f = 1, longest = rw > rh ? rw : rh;
    if (streamed) {
        f = longest / limits->min_long_side;
        if (f < 1) f = 1;
        if (f > rw || f > rh) f = rw < rh ? rw : rh;
    }
    uint32_t ow = rw / f, oh = rh / f;
    if (streamed) {
        rgba = malloc((size_t)w * 4);  /* one row */
        sums = calloc((size_t)ow * 3, sizeof(uint32_t));
        small = malloc((size_t)ow * oh * 3);
        if (!rgba || !sums || !small) png_error(png, "out of memory");
        read_averaged(png, rw, rh, f, rgba, sums, small);
        free(sums);
        sums = NULL;
        free(rgba);
        rgba = NULL;
    } else {
        rgba = malloc((size_t)w * h * 4);
        rows = malloc(sizeof(png_bytep) * h);
        if (!rgba || !rows) png_error(png, "out of memory");
        for (png_uint_32 y = 0; y < h; y++) rows[y] = rgba + (size_t)y * w * 4;
        png_read_image(png, rows);
        uint8_t *p = rgba;
        for (size_t i = 0, n = (size_t)w * h; i < n; i++) {
            for (int c = 0; c < 3; c++) p[3 * i + c] = over_white(p + 4 * i, c);
        }
        out->rgb = realloc(rgba, (size_t)w * h * 3);
        if (!out->rgb) out->rgb = rgba;
        rgba = NULL;
        free(rows);
        rows = NULL;
        small = out->rgb;
        out->rgb = NULL;
    }
    /* The later Adam7 passes of a streamed image are never read, so its end is not looked for. */
    if (!(interlaced && streamed)) png_read_end(png, NULL);
    out->rgb = small;
    small = NULL;
    out->width = ow;
    out->height = oh;
    out->source_width = w;
    out->source_height = h;
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
