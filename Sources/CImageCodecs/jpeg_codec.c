/* JPEG through libjpeg(-turbo): baseline, progressive, arithmetic, gray,
 * YCbCr, CMYK/YCCK (Adobe inverted); DCT-scaled decoding; EXIF orientation
 * read from the first EXIF APP1. Warnings (a truncated file decodes "successfully" as gray)
 * are errors. */
#include "common.h"
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    int warned;
    struct jpeg_progress_mgr progress;
    uint32_t max_scans;
    uint64_t deadline;
    unsigned calls;
    int costly;
    int unsupported;
} jpeg_ctx;

/* libjpeg's documented hook for bounding work: a progressive file can hold thousands of
 * scans, each a pass over the whole image. Called between scans and MCU rows. */
static void on_progress(j_common_ptr cinfo) {
    jpeg_ctx *ctx = (jpeg_ctx *)cinfo->err;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (ctx->max_scans && d->input_scan_number > (int)ctx->max_scans) {
        snprintf(ctx->message, FSC_MESSAGE_SIZE, "more than %u progressive scans", ctx->max_scans);
        ctx->costly = 1;
        longjmp(ctx->jump, 1);
    }
    /* The clock every 8th call: a call comes every MCU row, far more often than the limit needs. */
    if (ctx->deadline && (++ctx->calls & 7) == 0 && fsc_now_ms() > ctx->deadline) {
        fsc_set_message(ctx->message, "decoding took longer than the time limit");
        ctx->costly = 1;
        longjmp(ctx->jump, 1);
    }
}

static void on_error_exit(j_common_ptr cinfo) {
    jpeg_ctx *ctx = (jpeg_ctx *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    fsc_set_message(ctx->message, text);
    /* Valid JPEGs this libjpeg build does not decode (12-bit samples, lossless or hierarchical frames,
     * arithmetic coding where it is not compiled in): not corrupt, a variant to save differently. */
    int code = cinfo->err->msg_code;
    ctx->unsupported = code == JERR_BAD_PRECISION || code == JERR_SOF_UNSUPPORTED || code == JERR_NOT_COMPILED
                    || code == JERR_ARITH_NOTIMPL;
    longjmp(ctx->jump, 1);
}

/* level < 0 is a warning (corrupt or premature end of data): keep the first one. */
static void on_emit_message(j_common_ptr cinfo, int level) {
    jpeg_ctx *ctx = (jpeg_ctx *)cinfo->err;
    if (level < 0 && !ctx->warned) {
        char text[JMSG_LENGTH_MAX];
        cinfo->err->format_message(cinfo, text);
        fsc_set_message(ctx->message, text);
        ctx->warned = 1;
        cinfo->err->num_warnings++;
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

int fsc_decode_jpeg(const uint8_t *data, size_t size, const fsc_limits *limits, fsc_image *out, char *message) {
    memset(out, 0, sizeof *out);
    out->orientation = 1;
    fsc_set_message(message, "");
    struct jpeg_decompress_struct cinfo;
    jpeg_ctx ctx;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile row = NULL;
    cinfo.err = jpeg_std_error(&ctx.base);
    ctx.base.error_exit = on_error_exit;
    ctx.base.emit_message = on_emit_message;
    ctx.base.output_message = on_output_message;
    ctx.message = message;
    ctx.warned = 0;
    ctx.costly = 0;
    ctx.unsupported = 0;
    ctx.calls = 0;
    ctx.max_scans = limits->max_scans;
    ctx.deadline = fsc_deadline(limits, fsc_now_ms());
    ctx.progress.progress_monitor = on_progress;
    if (setjmp(ctx.jump)) {
        free(pixels);
        free(row);
        jpeg_destroy_decompress(&cinfo);
        return ctx.costly ? FSC_TOO_COSTLY : ctx.unsupported ? FSC_UNSUPPORTED : FSC_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &ctx.progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    if (ctx.warned) { jpeg_destroy_decompress(&cinfo); return FSC_TRUNCATED; }

    int status = fsc_check_limits(cinfo.image_width, cinfo.image_height, limits, message);
    if (status != FSC_OK) { jpeg_destroy_decompress(&cinfo); return status; }
    /* The first APP1 that is EXIF: cameras and editors put XMP (also APP1) before it as often as after. */
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            out->orientation = fsc_exif_orientation(m->data + 6, m->data_length - 6);
            break;
        }
    }

    /* DCT scaling: the smallest n/8 whose long side still reaches min_long_side. */
    uint32_t longest = cinfo.image_width > cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    unsigned num = 8;
    if (limits->min_long_side > 0) {
        for (unsigned n = 1; n <= 8; n++) {
            if ((longest * n + 7) / 8 >= limits->min_long_side) { num = n; break; }
        }
    }
    cinfo.scale_num = num;
    cinfo.scale_denom = 8;
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    /* Plain chroma replication instead of triangle-filter upsampling: at the
     * DCT-scaled size it was a tenth of a phone photo's intake time and changed
     * the class of none of 1,740 phone photos (the model sees luminance). */
    cinfo.do_fancy_upsampling = FALSE;
    jpeg_start_decompress(&cinfo);

    uint32_t w = cinfo.output_width, h = cinfo.output_height;
    int comps = cinfo.output_components;
    pixels = malloc((size_t)w * h * 3);
    row = malloc((size_t)w * comps);
    if (!pixels || !row) {
        fsc_set_message(message, "out of memory");
        free(pixels); free(row);
        jpeg_destroy_decompress(&cinfo);
        return FSC_NO_MEMORY;
    }
    /* Adobe CMYK JPEGs store inverted ink values. */
    int inverted = cmyk && cinfo.saw_Adobe_marker;
    while (cinfo.output_scanline < h) {
        JSAMPROW r = row;
        uint32_t y = cinfo.output_scanline;
        if (jpeg_read_scanlines(&cinfo, &r, 1) != 1) break;
        uint8_t *dst = pixels + (size_t)y * w * 3;
        if (cmyk) {
            for (uint32_t x = 0; x < w; x++) {
                unsigned c = row[4 * x], m = row[4 * x + 1], yy = row[4 * x + 2], k = row[4 * x + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k; }
                dst[3 * x] = (uint8_t)(c * k / 255);
                dst[3 * x + 1] = (uint8_t)(m * k / 255);
                dst[3 * x + 2] = (uint8_t)(yy * k / 255);
            }
        } else {
            memcpy(dst, row, (size_t)w * 3);
        }
    }
    jpeg_finish_decompress(&cinfo);
    free(row);
    row = NULL;
    if (ctx.warned || cinfo.output_scanline < h) {
        free(pixels);
        pixels = NULL;
        if (!ctx.warned) fsc_set_message(message, "fewer scanlines than the header declares");
        jpeg_destroy_decompress(&cinfo);
        return FSC_TRUNCATED;
    }
    out->rgb = pixels;
    out->width = w;
    out->height = h;
    out->source_width = cinfo.image_width;
    out->source_height = cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return FSC_OK;
}

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} jpeg_write_ctx;

static void on_write_error_exit(j_common_ptr cinfo) {
    jpeg_write_ctx *ctx = (jpeg_write_ctx *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    fsc_set_message(ctx->message, text);
    longjmp(ctx->jump, 1);
}

int fsc_encode_jpeg(const uint8_t *rgb, uint32_t width, uint32_t height, int gray, int quality, int progressive,
                    int arithmetic, uint8_t **out, size_t *out_size, char *message) {
    *out = NULL;
    *out_size = 0;
    struct jpeg_compress_struct cinfo;
    jpeg_write_ctx ctx;
    unsigned char *volatile buf = NULL;
    unsigned long size = 0;
    uint8_t *volatile row = NULL;
    cinfo.err = jpeg_std_error(&ctx.base);
    ctx.base.error_exit = on_write_error_exit;
    ctx.base.output_message = on_output_message;
    ctx.message = message;
    if (setjmp(ctx.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buf);
        free(row);
        return FSC_UNSUPPORTED;
    }
    jpeg_create_compress(&cinfo);
    unsigned char *dst = NULL;
    jpeg_mem_dest(&cinfo, &dst, &size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    if (gray) jpeg_set_colorspace(&cinfo, JCS_GRAYSCALE);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    if (arithmetic) cinfo.arith_code = TRUE;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < height) {
        JSAMPROW r = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * width * 3);
        jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    buf = dst;
    jpeg_destroy_compress(&cinfo);
    *out = buf;
    *out_size = size;
    return FSC_OK;
}
