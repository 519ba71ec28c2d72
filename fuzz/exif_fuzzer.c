/* libFuzzer target for the EXIF walk alone: any bytes as the TIFF structure of a JPEG APP1 or PNG eXIf.
 * The answer must be an orientation 1-8; reading outside the input is a finding (AddressSanitizer). */
#include "common.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A copy of exactly `size` bytes, so any read past the end is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    int orientation = fsc_exif_orientation(copy, size);
    free(copy);
    if (orientation < 1 || orientation > 8) abort();
    return 0;
}
