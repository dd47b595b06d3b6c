/*
 * Private interface of the per-file time limit of the media layer
 * (media_deadline.c): a deadline on the monotonic clock, checked by the decode
 * loops and by FFmpeg's I/O through an AVIOInterruptCB.
 */
#ifndef MV_MEDIA_DEADLINE_H
#define MV_MEDIA_DEADLINE_H

#include "mediavault/error.h"

struct AVFormatContext;

/* The moment a file's work must stop; none when at is 0. */
typedef struct mv__deadline {
    double at; /* seconds on CLOCK_MONOTONIC; 0 = no limit */
} mv__deadline;

/* Starts the clock: timeout_s seconds from now (0 = no limit). MV_EINVAL when
 * timeout_s is negative or not a number. */
mv_status mv__deadline_start(mv__deadline *d, double timeout_s);

/* 1 once the deadline has passed (never when there is none), or at once
 * after mv_media_cancel(1). */
int mv__deadline_passed(const mv__deadline *d);

/* MV_OK when path is a regular file; MV_EISDIR, MV_ENOTREG or the stat error
 * otherwise. Checked before FFmpeg opens a path, so that a FIFO or a device
 * never blocks it (a hang no deadline could end: the open itself waits). */
mv_status mv__media_check_path(const char *path);

/* avformat_open_input() with d as the interrupt callback's argument, so that
 * every blocking read inside FFmpeg gives up once d has passed; d must outlive
 * *fmt. Returns FFmpeg's status (AVERROR_EXIT when interrupted). */
int mv__deadline_open_input(struct AVFormatContext **fmt, const char *path, mv__deadline *d);

#endif
