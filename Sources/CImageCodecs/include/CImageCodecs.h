#ifndef FASHIONSORT_CIMAGECODECS_H
#define FASHIONSORT_CIMAGECODECS_H
/*
 * The only code that touches libpng and libjpeg. Every function returns a
 * status code and copies the library's message into `message`; setjmp/longjmp
 * never leave this file, nothing is printed and nothing aborts.
 */
#include <stddef.h>
#include <stdint.h>

enum fsc_status {
    FSC_OK = 0,
    FSC_CORRUPT = 1,      /* the library rejected the data */
    FSC_TRUNCATED = 2,    /* data ends early (libjpeg warning or libpng read past end) */
    FSC_TOO_LARGE = 3,    /* header dimensions exceed the limits; nothing was allocated */
    FSC_NO_MEMORY = 4,
    FSC_UNSUPPORTED = 5,
    FSC_TOO_COSTLY = 6    /* more scans or decoding time than the limits allow */
};

#define FSC_MESSAGE_SIZE 200

typedef struct {
    uint32_t max_width;        /* per side */
    uint32_t max_height;
    uint64_t max_pixels;       /* width × height */
    /* JPEG: decode DCT-scaled down to the smallest size whose long side is >= this (0 = full size) */
    uint32_t min_long_side;
    uint32_t max_scans;        /* JPEG: progressive scans at most (0 = no limit) */
    uint32_t max_milliseconds; /* decoding time at most (0 = no limit) */
} fsc_limits;

typedef struct {
    uint8_t *rgb;              /* width × height × 3, alpha composited over white */
    uint32_t width, height;    /* as decoded (after DCT scaling) */
    uint32_t source_width, source_height;  /* as stored in the file */
    int orientation;           /* EXIF orientation 1…8 (1 when absent) */
    int warnings;              /* libpng warnings ignored as benign */
} fsc_image;

int fsc_decode_png(const uint8_t *data, size_t size, const fsc_limits *limits, fsc_image *out, char *message);
int fsc_decode_jpeg(const uint8_t *data, size_t size, const fsc_limits *limits, fsc_image *out, char *message);
void fsc_image_free(fsc_image *image);

/* Encodes 8-bit pixels (channels 1 = gray, 3 = RGB, 4 = RGBA) as PNG into a malloc'd buffer. */
int fsc_encode_png(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int interlaced,
                   uint8_t **out, size_t *out_size, char *message);
/* Encodes 8-bit RGB as JPEG (optionally stored gray, progressive or arithmetic-coded) into a malloc'd buffer. */
int fsc_encode_jpeg(const uint8_t *rgb, uint32_t width, uint32_t height, int gray, int quality, int progressive,
                    int arithmetic, uint8_t **out, size_t *out_size, char *message);
void fsc_free(void *p);

#endif
