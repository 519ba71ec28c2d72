#ifndef FSC_COMMON_H
#define FSC_COMMON_H
#include "CImageCodecs.h"
#include <stdio.h>
#include <string.h>

static inline void fsc_set_message(char *message, const char *text) {
    if (message) snprintf(message, FSC_MESSAGE_SIZE, "%s", text ? text : "");
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
#endif
