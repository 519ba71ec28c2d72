/* libFuzzer target for the C decoding shim: any bytes, decoded as PNG or JPEG (by magic, as the product
 * does) with the daemon's limits. A crash, a leak or undefined behaviour is a finding; an error status is not. */
#include "CImageCodecs.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fsc_limits limits = {.max_width = 20000, .max_height = 20000, .max_pixels = 80000000, .min_long_side = 73,
                         .max_scans = 100, .max_milliseconds = 1000};
    fsc_image image;
    char message[FSC_MESSAGE_SIZE];
    int png = size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
    int status = png ? fsc_decode_png(data, size, &limits, &image, message)
                     : fsc_decode_jpeg(data, size, &limits, &image, message);
    if (status == FSC_OK) {
        /* Touch every pixel: a short buffer shows up under AddressSanitizer. */
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < (size_t)image.width * image.height * 3; i++) sum += image.rgb[i];
        (void)sum;
    }
    fsc_image_free(&image);
    return 0;
}
