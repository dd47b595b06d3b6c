/**
 * Symbol visibility of the public API. The library is built with hidden
 * visibility, so every public function is marked MV_API.
 */
#ifndef MEDIAVAULT_API_H
#define MEDIAVAULT_API_H

#if defined(__GNUC__)
#define MV_API __attribute__((visibility("default")))
#else
#define MV_API
#endif

#endif
