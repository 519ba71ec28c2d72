/* The one EXIF walk, shared by the JPEG and PNG decoders. */
#include "common.h"

static uint16_t rd16(const uint8_t *p, int le) {
    return le ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t rd32(const uint8_t *p, int le) {
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int fsc_exif_orientation(const uint8_t *t, size_t len) {
    if (!t || len < 8) return 1;
    int le;
    if (t[0] == 'I' && t[1] == 'I') le = 1;
    else if (t[0] == 'M' && t[1] == 'M') le = 0;
    else return 1;
    uint32_t ifd = rd32(t + 4, le);
    if (ifd > len || len - ifd < 2) return 1;
    uint16_t count = rd16(t + ifd, le);
    for (uint32_t i = 0; i < count; i++) {
        size_t e = ifd + 2 + (size_t)i * 12;
        if (e + 12 > len) return 1;
        if (rd16(t + e, le) == 0x0112) {
            uint16_t v = rd16(t + e + 8, le);
            return v >= 1 && v <= 8 ? v : 1;
        }
    }
    return 1;
}
