#ifndef FSC_COMMON_H
#define FSC_COMMON_H
#include "CImageCodecs.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static inline void fsc_set_message(char *message, const char *text) {
    if (message) snprintf(message, FSC_MESSAGE_SIZE, "%s", text ? text : "");
}

static inline uint64_t fsc_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* When a decode started at `start` must give up (0 = never). */
static inline uint64_t fsc_deadline(const fsc_limits *limits, uint64_t start) {
    return limits->max_milliseconds ? start + limits->max_milliseconds : 0;
}

/* Checks header dimensions before any pixel buffer exists. */
static inline int fsc_check_limits(uint32_t w, uint32_t h, const fsc_limits *limits, char *message) {
    if (w == 0 || h == 0) {
        fsc_set_message(message, "image has zero width or height");
        return FSC_CORRUPT;
    }
    if (w > limits->max_width || h > limits->max_height || (uint64_t)w * h > limits->max_pixels) {
        snprintf(message, FSC_MESSAGE_SIZE, "image is %ux%u, above the limit of %ux%u and %llu pixels",
                 w, h, limits->max_width, limits->max_height, (unsigned long long)limits->max_pixels);
        return FSC_TOO_LARGE;
    }
    return FSC_OK;
}
/* EXIF's orientation tag (0x0112) of IFD0 in a TIFF-structured payload ("II*\0" or "MM\0*" first: a JPEG
 * APP1 after its "Exif\0\0", a PNG eXIf chunk as it is); 1 if absent or malformed. Every offset is checked
 * against `n` before it is read. */
int fsc_exif_orientation(const uint8_t *tiff, size_t n);
#endif
