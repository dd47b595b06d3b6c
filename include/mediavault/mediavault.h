/**
 * MediaVault: catalogs, fingerprints and finds duplicates in media libraries.
 * This umbrella header includes the whole public API.
 */
#ifndef MEDIAVAULT_H
#define MEDIAVAULT_H

#include "mediavault/alloc.h"
#include "mediavault/audio.h"
#include "mediavault/catalog.h"
#include "mediavault/digest.h"
#include "mediavault/dupes.h"
#include "mediavault/error.h"
#include "mediavault/fingerprint.h"
#include "mediavault/gpu.h"
#include "mediavault/log.h"
#include "mediavault/media.h"
#include "mediavault/pdq.h"
#include "mediavault/progress.h"
#include "mediavault/scan.h"
#include "mediavault/sums.h"
#include "mediavault/text.h"
#include "mediavault/version.h"
#include "mediavault/vpdq.h"

#endif
